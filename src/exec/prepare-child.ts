/**
 * What `rolecall exec` does before the command starts: the exec rules (no
 * exec inside an exec unless forced; the shell hook's region is not the
 * user's), the session through the pipeline, and the child's command line
 * and environment. Everything here may fail with a RolecallError, which the
 * command reports with status 125: the child has not started.
 */
import type { Env } from '../base/env.js';
import { ConfigError, RolecallError } from '../base/errors.js';
import { commandContext, type CommandContext } from '../pipeline/command-context.js';
import { sessionFor, type SessionRequest } from '../pipeline/profile-session.js';
import { childEnv } from './child-env.js';

export interface ExecRequest extends Omit<SessionRequest, 'profile'> {
  /** Absent: AWS_PROFILE, else default. */
  readonly profile?: string;
  /** Empty: $SHELL. */
  readonly command: readonly string[];
  readonly mfaToken?: string;
  readonly backend?: string;
  /** --force: allowed inside another exec. */
  readonly force: boolean;
  /** --server: the child gets rolecall's credential server instead of keys. */
  readonly server?: boolean;
}

export interface ChildSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  /** With --server: to be called once the child has ended. */
  readonly closeServer?: () => Promise<void>;
}

export async function prepareChild(processEnv: Env, request: ExecRequest): Promise<ChildSpec> {
  const profile = request.profile ?? (processEnv.AWS_PROFILE || 'default');
  const env = withoutHookRegion(processEnv, profile);
  // ROLECALL_PROFILE from the shell hook (ROLECALL_SHELL_HOOK names the same
  // profile) is a directory's profile, not an exec around us.
  const insideExec = env.ROLECALL_PROFILE && env.ROLECALL_SHELL_HOOK !== env.ROLECALL_PROFILE;
  if (insideExec && !request.force) {
    throw new RolecallError(`already inside \`rolecall exec\` for profile "${env.ROLECALL_PROFILE}" (ROLECALL_PROFILE is set); exit that shell first, or pass --force`);
  }
  const server = request.server ? await import('./server-child.js') : undefined;
  server?.refuseShadowingDefault(env, profile);
  const given = commandContext(env, {
    processEnv,
    ...(request.backend ? { backend: request.backend } : {}),
    ...(request.mfaToken ? { mfaToken: request.mfaToken } : {}),
  });
  const context = server ? server.servingContext(given) : given;
  warmUp(context);
  const session: SessionRequest = {
    profile,
    ...(request.region ? { region: request.region } : {}),
    ...(request.durationSeconds !== undefined ? { durationSeconds: request.durationSeconds } : {}),
    ...(request.noSession ? { noSession: true } : {}),
  };
  const first = await implicitProfileHint(request.profile === undefined && !env.AWS_PROFILE, () => sessionFor(session, context));
  const [command, ...args] = request.command.length > 0 ? request.command : [env.SHELL || '/bin/sh'];
  if (server) return { command: command as string, args, ...(await server.serveChild(env, session, context, first)) };
  return { command: command as string, args, env: childEnv(env, first.plan.profile, first.credentials, first.plan.region) };
}

/**
 * In a directory whose .awsprofile the shell hook follows, AWS_REGION is the
 * region of that profile, put there by the hook, not a choice of the user's:
 * `rolecall exec other` uses other's own region, as it would elsewhere.
 */
function withoutHookRegion(env: Env, profile: string): Env {
  const hookRegion = env.ROLECALL_SHELL_HOOK_REGION;
  if (!env.ROLECALL_SHELL_HOOK || env.ROLECALL_SHELL_HOOK === profile || !hookRegion) return env;
  const kept = { ...env };
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) if (kept[name] === hookRegion) delete kept[name];
  return kept;
}

/**
 * The vault (keytar and its first D-Bus round trip) and the child runner
 * (execa) are needed by nearly every exec and cost the most of its own time:
 * start both now, so their loading overlaps the keychain's answers instead
 * of following them. Errors surface where the pipeline awaits the same promise.
 */
function warmUp(context: CommandContext): void {
  void context.vault().catch(() => undefined);
  void import('./run-child.js').catch(() => undefined);
}

/** With no profile named anywhere, "default is missing" should say how to name one. */
async function implicitProfileHint<T>(implicit: boolean, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (implicit && error instanceof ConfigError && error.message.startsWith('profile "default" is not in')) {
      throw new ConfigError(`no profile given and no [default] profile: name one, as in \`rolecall exec PROFILE -- CMD\`, or set AWS_PROFILE (\`rolecall list\` shows them)`);
    }
    throw error;
  }
}
