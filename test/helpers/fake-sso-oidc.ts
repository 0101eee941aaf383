/**
 * The OIDC half of the fake Identity Center (fake-identity-center.ts):
 * RegisterClient, StartDeviceAuthorization, CreateToken, and the pages a
 * browser visits to approve a sign-in.
 */
import type { FakeRoutes } from './fake-identity-center.js';

export const oidcRoutes: FakeRoutes = {};
