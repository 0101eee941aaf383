/**
 * What `rolecall exec` does before the command starts: the exec rule (no
 * exec inside an exec unless forced), the session (exec/command-session.ts),
 * and the child's command line and environment (with --server, the
 * credential server instead of keys). Everything here may fail with a
 * RolecallError, which the command reports with status 125: the child has
 * not started.
 */
import type { Env } from '../base/env.js';
import { RolecallError } from '../base/errors.js';
import type { ReadyForm } from '../agent/ready-answer.js';
import { resolvingReady, type KeepReadyAnswer } from '../pipeline/keep-ready-answer.js';
import { commandSession, type CommandSessionRequest } from './command-session.js';
import { readyChildEnvAnswer, sessionVariables, childEnv } from './child-env.js';

export interface ExecRequest extends Omit<CommandSessionRequest, 'usage'> {
  /** Empty: $SHELL. */
  readonly command: readonly string[];
  /** --force: allowed inside another exec. */
  readonly force: boolean;
  /** --server: the child gets rolecall's credential server instead of keys. */
  readonly server?: boolean;
  /** Set for the plain form (`exec PROFILE -- CMD`): the words its ready answer is kept under. */
  readonly ready?: ReadyForm['words'];
}

export interface ChildSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  /** With --server: to be called once the child has ended. */
  readonly closeServer?: () => Promise<void>;
}

export async function prepareChild(processEnv: Env, request: ExecRequest): Promise<ChildSpec> {
  return resolvingReady(request.ready, processEnv, (keep) => childOf(processEnv, request, keep));
}

async function childOf(processEnv: Env, request: ExecRequest, keepReady?: KeepReadyAnswer): Promise<ChildSpec> {
  // ROLECALL_PROFILE from the shell hook (ROLECALL_SHELL_HOOK names the same
  // profile) is a directory's profile, not an exec around us.
  const insideExec = processEnv.ROLECALL_PROFILE && processEnv.ROLECALL_SHELL_HOOK !== processEnv.ROLECALL_PROFILE;
  if (insideExec && !request.force) {
    throw new RolecallError(`already inside \`rolecall exec\` for profile "${processEnv.ROLECALL_PROFILE}" (ROLECALL_PROFILE is set); exit that shell first, or pass --force`);
  }
  const server = request.server ? await import('./server-child.js') : undefined;
  // The child runner (node:child_process) is needed by nearly every exec: its loading overlaps the keychain's answers.
  void import('./run-child.js').catch(() => undefined);
  const first = await commandSession(
    processEnv,
    { ...request, usage: 'exec PROFILE -- CMD' },
    server ? { refuse: server.refuseShadowingDefault, adapt: server.servingContext } : {},
  );
  const [command, ...args] = request.command.length > 0 ? request.command : [first.env.SHELL || '/bin/sh'];
  if (server) return { command: command as string, args, ...(await server.serveChild(first.env, first.request, first.context, first)) };
  if (keepReady) await keepReady(first.context, readyChildEnvAnswer(processEnv, first.env, sessionVariables(first.plan.profile, first.credentials, first.plan.region)));
  return { command: command as string, args, env: childEnv(first.env, first.plan.profile, first.credentials, first.plan.region) };
}
