/**
 * The session a command asks for by profile name, read the way exec reads
 * it, for every command that hands credentials on (exec to its child,
 * export and credential-process to their stdout): the profile and
 * environment as pipeline/named-profile.ts reads them, the context of one
 * command, the session through the pipeline.
 */
import type { Env } from '../base/env.js';
import { ConfigError } from '../base/errors.js';
import { commandContext, type CommandContext, type ContextOptions } from '../pipeline/command-context.js';
import { namedProfile } from '../pipeline/named-profile.js';
import { sessionFor, type ProfileSession, type SessionRequest } from '../pipeline/profile-session.js';

export interface CommandSessionRequest extends Omit<SessionRequest, 'profile'> {
  /** Absent: AWS_PROFILE, else default. */
  readonly profile?: string;
  readonly mfaToken?: string;
  readonly backend?: string;
  /** The command, for the hint when no profile is named: `exec PROFILE -- CMD`, `export PROFILE`. */
  readonly usage: string;
}

export interface CommandSession extends ProfileSession {
  /** What the command read its settings from: the process's environment, less the hook's region. */
  readonly env: Env;
  /** What the session was fetched with, for a command that fetches it again (exec --server). */
  readonly request: SessionRequest;
  readonly context: CommandContext;
}

export interface CommandSessionOptions extends Pick<ContextOptions, 'mfaWithoutTerminal'> {
  /** A command's own refusal of the profile, before any STS call or prompt (exec --server's). */
  readonly refuse?: (env: Env, profile: string) => void;
  /** The command's context made from the common one (exec --server's longer minimum life). */
  readonly adapt?: (context: CommandContext) => CommandContext;
}

export async function commandSession(processEnv: Env, request: CommandSessionRequest, options: CommandSessionOptions = {}): Promise<CommandSession> {
  const { profile, env } = namedProfile(processEnv, request.profile);
  options.refuse?.(env, profile);
  const given = commandContext(env, {
    processEnv,
    ...(request.backend ? { backend: request.backend } : {}),
    ...(request.mfaToken ? { mfaToken: request.mfaToken } : {}),
    ...(options.mfaWithoutTerminal ? { mfaWithoutTerminal: options.mfaWithoutTerminal } : {}),
  });
  const context = options.adapt ? options.adapt(given) : given;
  warmUpVault(context);
  const session: SessionRequest = {
    profile,
    ...(request.region ? { region: request.region } : {}),
    ...(request.durationSeconds !== undefined ? { durationSeconds: request.durationSeconds } : {}),
    ...(request.noSession ? { noSession: true } : {}),
  };
  const implicit = request.profile === undefined && !env.AWS_PROFILE;
  const { plan, credentials } = await implicitProfileHint(implicit, request.usage, () => sessionFor(session, context));
  return { env, plan, credentials, request: session, context };
}

/**
 * The vault (keytar and its first D-Bus round trip) costs the most of a warm
 * command's own time: start opening it now, so its loading overlaps reading
 * the config instead of following it. Errors surface where the pipeline
 * awaits the same promise.
 */
function warmUpVault(context: CommandContext): void {
  void context.vault().catch(() => undefined);
}

/** With no profile named anywhere, "default is missing" should say how to name one. */
async function implicitProfileHint<T>(implicit: boolean, usage: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (implicit && error instanceof ConfigError && error.message.startsWith('profile "default" is not in')) {
      throw new ConfigError(`no profile given and no [default] profile: name one, as in \`rolecall ${usage}\`, or set AWS_PROFILE (\`rolecall list\` shows them)`);
    }
    throw error;
  }
}
