/**
 * The portal half of the fake Identity Center (fake-identity-center.ts):
 * GetRoleCredentials (from moto's AssumeRole), ListAccounts,
 * ListAccountRoles, Logout.
 */
import type { FakeRoutes } from './fake-identity-center.js';

export const portalRoutes: FakeRoutes = {};
