/**
 * The body of `rolecall exec`, free of clipanion: the entry point calls it
 * directly for the common case, so a cached exec loads only what it uses.
 */
import { ConfigError, RolecallError } from '../base/errors.js';
import { EXIT_ROLECALL_FAILED } from '../base/exit-status.js';
import { commandContext, type CommandContext } from '../pipeline/command-context.js';
import { sessionFor } from '../pipeline/profile-session.js';
import { childEnv } from '../exec/child-env.js';
import { debug, enableDebug } from '../log/debug-log.js';
import { parseExecArguments, type ExecArguments } from './exec-arguments.js';
import { guarded, reportError } from '../log/report-error.js';

/** Parses exec's arguments; undefined after reporting a mistake. */
export function parseOrReport(args: readonly string[]): ExecArguments | undefined {
  try {
    return parseExecArguments(args);
  } catch (error) {
    reportError(error);
    return undefined;
  }
}

export async function runExec(parsed: ExecArguments): Promise<number> {
  enableDebug(parsed.debug);
  const profile = parsed.profile ?? (process.env.AWS_PROFILE || 'default');
  const env = withoutHookRegion({ ...process.env }, profile);
  let child: { command: string; args: string[]; env: Record<string, string> } | undefined;
  const status = await guarded(EXIT_ROLECALL_FAILED, async () => {
    // ROLECALL_PROFILE from the shell hook (ROLECALL_SHELL_HOOK names the same
    // profile) is a directory's profile, not an exec around us.
    const insideExec = env.ROLECALL_PROFILE && env.ROLECALL_SHELL_HOOK !== env.ROLECALL_PROFILE;
    if (insideExec && !parsed.force) {
      throw new RolecallError(
        `already inside \`rolecall exec\` for profile "${env.ROLECALL_PROFILE}" (ROLECALL_PROFILE is set); exit that shell first, or pass --force`,
      );
    }
    // The vault (keytar and its first D-Bus round trip) and the child runner
    // (execa) are needed by nearly every exec and cost the most of its own
    // time: start both now, so their loading overlaps the keychain's answers
    // instead of following them.
    const context = commandContext(env, { ...(parsed.backend ? { backend: parsed.backend } : {}), ...(parsed.mfaToken ? { mfaToken: parsed.mfaToken } : {}) });
    warmUp(context);
    const request = {
      profile,
      ...(parsed.region ? { region: parsed.region } : {}),
      ...(parsed.durationSeconds !== undefined ? { durationSeconds: parsed.durationSeconds } : {}),
      noSession: parsed.noSession,
    };
    const { plan, credentials } = await implicitProfileHint(parsed.profile === undefined && !env.AWS_PROFILE, () => sessionFor(request, context));
    const [command, ...args] = parsed.command.length > 0 ? parsed.command : [env.SHELL || '/bin/sh'];
    child = { command: command as string, args, env: childEnv(env, plan.profile, credentials, plan.region) };
  });
  if (!child) return status;
  // Loading since warmUp; awaited only now, with the credentials in hand.
  const { runChild } = await import('../exec/run-child.js');
  debug(`starting ${child.command}`);
  const outcome = await runChild(child.command, child.args, child.env);
  debug(`${child.command} ended: status ${outcome.status}`);
  if (outcome.startError) process.stderr.write(`rolecall: ${outcome.startError}\n`);
  return outcome.status;
}

/**
 * In a directory whose .awsprofile the shell hook follows, AWS_REGION is the
 * region of that profile, put there by the hook, not a choice of the user's:
 * `rolecall exec other` uses other's own region, as it would elsewhere.
 */
function withoutHookRegion(env: NodeJS.ProcessEnv, profile: string): NodeJS.ProcessEnv {
  const hookRegion = env.ROLECALL_SHELL_HOOK_REGION;
  if (!env.ROLECALL_SHELL_HOOK || env.ROLECALL_SHELL_HOOK === profile || !hookRegion) return env;
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) if (env[name] === hookRegion) delete env[name];
  return env;
}

function warmUp(context: CommandContext): void {
  // Errors surface where the pipeline awaits the same promises.
  void context.vault().catch(() => undefined);
  void import('../exec/run-child.js').catch(() => undefined);
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
