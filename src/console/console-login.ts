/**
 * `rolecall login`: a profile's session, through the pipeline (the cache and
 * MFA as for exec), made into a console sign-in URL at the federation
 * endpoint of the profile's partition, then opened in the browser or
 * printed. A role's session signs in as it is, for SessionDuration; plain
 * keys first become a federated user's session (GetFederationToken), since
 * the console refuses both long-term keys and GetSessionToken sessions.
 */
import type { Env } from '../base/env.js';
import { ArgumentError, RolecallError } from '../base/errors.js';
import { EXIT_OK } from '../base/exit-status.js';
import type { Credentials } from '../config/credentials.js';
import { partitionOf } from '../config/partition.js';
import type { Plan } from '../config/plan.js';
import { federationName } from '../config/session-name.js';
import { helperEnv } from '../credentials/helper-env.js';
import { debug, note } from '../log/debug-log.js';
import { openInBrowser } from '../prompt/open-browser.js';
import { commandContext, withMinimumLife, type CommandContext } from '../pipeline/command-context.js';
import { namedProfile } from '../pipeline/named-profile.js';
import { planFor, safeUserName, sessionOfPlan } from '../pipeline/profile-session.js';
import { signinEndpoint } from '../config/service-endpoint.js';
import { stsEndpoint } from '../sts/sts-endpoint.js';
import { consoleDestination, loginUrl, signinToken } from './federation.js';

/** What the federation endpoint accepts for a console session. */
export const CONSOLE_DURATION = { min: 900, max: 43_200, default: 3_600 } as const;

/**
 * The federated user's session policy: without one it may do nothing; with
 * this one it may do what the user's own policies allow (the intersection).
 */
const USER_OWN_PERMISSIONS = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

export interface LoginRequest {
  /** Absent: AWS_PROFILE, else default. */
  readonly profile?: string;
  /** --stdout: print the URL instead of opening it. */
  readonly stdout: boolean;
  /** --path: the console page, as /s3/home. */
  readonly path?: string;
  readonly durationSeconds?: number;
  readonly backend?: string;
}

export async function consoleLogin(processEnv: Env, request: LoginRequest, print: (line: string) => void): Promise<number> {
  checkRequest(request);
  const { profile, env } = namedProfile(processEnv, request.profile);
  const wanted = request.durationSeconds ?? CONSOLE_DURATION.default;
  // A cached session with less left than the console's minimum could not sign in: take a fresh one then.
  const context = withMinimumLife(commandContext(env, { processEnv, ...(request.backend ? { backend: request.backend } : {}) }), CONSOLE_DURATION.min);
  const plan = planFor({ profile, ...(request.durationSeconds !== undefined ? { durationSeconds: request.durationSeconds } : {}) }, env);
  // IAM Identity Center's role credentials are a role's session, as an AssumeRole's are.
  const isRoleSession = plan.steps.at(-1)?.kind === 'assumeRole' || (plan.steps.length === 0 && plan.source.kind === 'ssoRole');
  const { credentials, sessionDuration } = isRoleSession ? await roleSession(plan, context, wanted) : await federatedSession(plan, context, wanted);
  const partition = partitionOf(plan.region ?? plan.stsRegion);
  const federationUrl = `${(signinEndpoint(env) ?? `https://${partition.signinHost}`).replace(/\/+$/, '')}/federation`;
  const token = await signinToken(federationUrl, credentials, sessionDuration);
  const url = loginUrl(federationUrl, token, consoleDestination(partition.consoleHost, request.path, plan.region));
  if (request.stdout) {
    print(url);
  } else {
    await openInBrowser(env, url, { page: 'the console', instead: 'use --stdout to print the URL and open it yourself', childEnv: helperEnv(env) });
    print(`opened the AWS console for profile "${plan.profile}" in the browser`);
  }
  return EXIT_OK;
}

function checkRequest(request: LoginRequest): void {
  const seconds = request.durationSeconds;
  if (seconds !== undefined && (seconds < CONSOLE_DURATION.min || seconds > CONSOLE_DURATION.max)) {
    throw new ArgumentError(`--duration ${seconds}s is outside what the console allows: 15m to 12h`);
  }
  if (request.path !== undefined && !/^\/[\x21-\x7e]*$/.test(request.path)) {
    throw new ArgumentError(`--path must be a console path starting with /, such as /s3/home or /ec2/home, with no spaces`);
  }
}

interface ConsoleSession {
  readonly credentials: Credentials;
  readonly sessionDuration?: number;
}

/** A role's session signs in as it is, for the duration asked, but never past its own end. */
async function roleSession(plan: Plan, context: CommandContext, wanted: number): Promise<ConsoleSession> {
  const { credentials } = await sessionOfPlan(plan, context);
  const left = credentials.expiration ? Math.floor((credentials.expiration.getTime() - (context.cache.now?.() ?? Date.now())) / 1000) : wanted;
  const sessionDuration = Math.min(wanted, left);
  if (sessionDuration < CONSOLE_DURATION.min) {
    throw new RolecallError(`the session of profile "${plan.profile}" ends in ${left}s, under the console's 15 minutes; run \`rolecall clear ${plan.profile}\` and try again`);
  }
  // A session made just now for the same hour ends a second or two short of it: not worth a line.
  if (sessionDuration < wanted - 60) note(`the console session lasts ${Math.round(sessionDuration / 60)}m, until the session of profile "${plan.profile}" ends (${credentials.expiration?.toISOString()})`);
  debug(`console session of ${sessionDuration}s over the role session of "${plan.profile}"`);
  return { credentials, sessionDuration };
}

/** Plain keys: a federated user's session, named after the login name (GetFederationToken). */
async function federatedSession(plan: Plan, context: CommandContext, wanted: number): Promise<ConsoleSession> {
  if (plan.steps.some((step) => step.mfa)) note(`GetFederationToken takes no MFA code: the console session of profile "${plan.profile}" is not MFA-authenticated`);
  // The Plan's source alone: the keys as they are, with no GetSessionToken over them.
  const { credentials: keys } = await sessionOfPlan({ ...plan, steps: [], notes: [] }, context);
  // A credential_process or the environment may already give a session: it signs in as it is.
  if (keys.sessionToken) return { credentials: keys };
  const name = federationName(safeUserName(context.env));
  debug(`GetFederationToken as "${name}" for ${wanted}s`);
  const { getFederationToken } = await import('../sts/sts-client.js');
  const endpoint = stsEndpoint(context.env);
  const credentials = await getFederationToken({ region: plan.stsRegion, ...(endpoint ? { endpoint } : {}) }, keys, { name, durationSeconds: wanted, policy: USER_OWN_PERMISSIONS });
  return { credentials };
}
