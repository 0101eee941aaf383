/**
 * The session the prompt hook enters: the profile's Plan and credentials
 * through the pipeline, as exec gets them, in the environment the user had
 * before any profile. Kept apart from hook-env-run.ts so that a steady
 * prompt's `hook-env` does not load the config, the pipeline or the vault.
 */
import type { Env } from '../base/env.js';
import { commandContext } from '../pipeline/command-context.js';
import { sessionFor } from '../pipeline/profile-session.js';
import type { SessionResult } from '../shell/hook-decision.js';

export async function hookSession(profile: string, userEnv: Env): Promise<SessionResult> {
  const { plan, credentials } = await sessionFor({ profile }, commandContext(userEnv, { processEnv: process.env }));
  return { region: plan.region, credentials };
}
