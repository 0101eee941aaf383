/**
 * The whole way from a profile name to its credentials, shared by every
 * command that needs a session (exec, the shell hook): the files, the Plan,
 * the pipeline built from it, the credentials it gives.
 */
import { userInfo } from 'node:os';
import type { Env } from '../base/env.js';
import { displayPath } from '../config/config-paths.js';
import { loadConfig } from '../config/load-config.js';
import type { Plan } from '../config/plan.js';
import type { Profiles } from '../config/profiles.js';
import { ssoSessionLabel } from '../config/sso-session.js';
import { firstTimeSaying, markerFor } from '../log/said-once.js';
import { resolveProfile } from '../config/resolve-profile.js';
import { debug, note } from '../log/debug-log.js';
import { stsEndpoint } from '../sts/sts-endpoint.js';
import { buildPipeline } from './build-pipeline.js';
import { refuseCredentialLoop } from './credential-loop.js';
import type { CommandContext } from './command-context.js';
import type { Credentials } from '../config/credentials.js';
import { maskKeyId } from '../log/redact.js';

/** What the command asks for; the rest comes from the config and the CommandContext. */
export interface SessionRequest {
  readonly profile: string;
  readonly region?: string;
  readonly durationSeconds?: number;
  readonly noSession?: boolean;
  /** The same request once more (exec --server at each request of its child): its notes were said the first time. */
  readonly again?: boolean;
}

export interface ProfileSession {
  readonly plan: Plan;
  readonly credentials: Credentials;
}

/** The Plan of a request, its notes said; for a command that must look at it before asking for its session (login). */
export function planFor(request: SessionRequest, env: Env): Plan {
  const { paths, profiles, ssoSessions } = loadConfig(env);
  debug(`profile "${request.profile}" from ${displayPath(paths.config, env)} and ${displayPath(paths.credentials, env)}`);
  const plan = resolveProfile(profiles, {
    profile: request.profile,
    env,
    paths,
    ...(request.region ? { region: request.region } : {}),
    ...(request.durationSeconds !== undefined ? { durationSeconds: request.durationSeconds } : {}),
    noSession: request.noSession ?? false,
    userName: safeUserName(env),
    ssoSessions,
  });
  if (!request.again) {
    for (const line of plan.notes) note(line);
    noticeUninheritedRegion(env, plan, profiles);
  }
  debug(`plan: ${describePlan(plan)}`);
  return plan;
}

/**
 * aws-vault and granted users expect a role to take its source's region; the
 * AWS CLI does not, so the command gets none and `aws` fails with "You must
 * specify a region". Said once per profile, since it is not an error.
 */
function noticeUninheritedRegion(env: Env, plan: Plan, profiles: Profiles): void {
  if (plan.region || plan.steps.every((step) => step.kind !== 'assumeRole')) return;
  const sourceRegion = profiles.get(plan.source.profile)?.values.region;
  if (!sourceRegion || !firstTimeSaying(env, 'region-noticed', markerFor(plan.profile))) return;
  note(
    `profile "${plan.profile}" has no region of its own, and its source's (${sourceRegion}) is not inherited, as for the AWS CLI: the command gets no AWS_REGION; set region in the profile or pass --region (said once)`,
  );
}

export async function sessionFor(request: SessionRequest, context: CommandContext): Promise<ProfileSession> {
  return sessionOfPlan(planFor(request, context.env), context);
}

/** The credentials of a Plan made by planFor, through the pipeline and its cache. */
export async function sessionOfPlan(plan: Plan, context: CommandContext): Promise<ProfileSession> {
  // Before any lock is taken: a loop would wait on its own lock.
  const chain = [plan.profile, ...plan.steps.map((step) => step.profile), plan.source.profile];
  const processEnv = refuseCredentialLoop(context.processEnv, chain);
  const endpoint = stsEndpoint(context.env);
  const provider = buildPipeline(plan, { region: plan.stsRegion, ...(endpoint ? { endpoint } : {}) }, { ...context, processEnv });
  const credentials = await provider.retrieve();
  debug(`credentials for "${plan.profile}": key ${maskKeyId(credentials.accessKeyId)}, expires ${credentials.expiration?.toISOString() ?? 'never (long-term key)'}`);
  return { plan, credentials };
}

function describePlan(plan: Plan): string {
  const source =
    plan.source.kind === 'profileKeys'
      ? `keys of "${plan.source.profile}"`
      : plan.source.kind === 'ssoRole'
        ? `GetRoleCredentials ${plan.source.accountId}/${plan.source.roleName} (profile "${plan.source.profile}", ${ssoSessionLabel(plan.source.session)}, sso_region ${plan.source.session.region})`
        : `${plan.source.kind} (profile "${plan.source.profile}")`;
  const steps = plan.steps.map((step) =>
    step.kind === 'sessionToken'
      ? `GetSessionToken${step.mfa ? ` (MFA ${step.mfa.serial})` : ''} ${step.durationSeconds}s`
      : `AssumeRole ${step.roleArn}${step.mfa ? ` (MFA ${step.mfa.serial})` : ''} ${step.durationSeconds}s`,
  );
  return [source, ...steps].join(' -> ') + `; region ${plan.region ?? `none (STS in ${plan.stsRegion})`}`;
}

/** The login name for default session names; USER when the OS will not say. */
export function safeUserName(env: Env): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return env.USER;
  }
}
