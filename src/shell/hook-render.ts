/**
 * Writes a HookDecision (hook-decision.ts) as the code the hook evals, for
 * one Shell: the environment change, then the hook's state. Every value goes
 * through the Shell's quoting, so the shell reads it as data, never as code.
 */
import type { HookDecision } from './hook-decision.js';
import { enterLines, restoreLines } from './managed-variables.js';
import type { Shell } from './shell.js';

/**
 * The hook's "settled here" state, as code both shells read the same way: its
 * own $PWD (never a round trip through this program, which could not give back
 * every byte of it) and no failure to retry.
 */
const SETTLED_LINE = '_rolecall_dir=$PWD _rolecall_failed_in= _rolecall_failures=';

export function renderHook(shell: Shell, decision: HookDecision): string {
  const { change, userEnv, state } = decision;
  const lines: string[] = [];
  switch (change.kind) {
    case 'keep':
      break;
    case 'clear':
      lines.push('unset _rolecall_refresh_at');
      break;
    case 'leave':
      lines.push(...restoreLines(shell, userEnv), 'unset _rolecall_profile _rolecall_refresh_at _rolecall_restore');
      break;
    case 'enter':
      lines.push(
        ...enterLines(shell, userEnv, change.variables),
        shell.assign('_rolecall_profile', change.profile),
        shell.assign('_rolecall_refresh_at', change.refreshAt),
        shell.assign('_rolecall_restore', restoreLines(shell, userEnv).join('\n')),
      );
      break;
  }
  lines.push(
    shell.assign('_rolecall_file', state.file),
    shell.assign('_rolecall_text', shell.textView(state.bytes)),
    shell.assign('_rolecall_gen', state.generation),
    shell.assign('_rolecall_noticed', state.noticed),
    // A failure keeps the state the hook entered with ("failed here": a cd, even `cd .`, tries again) and adds when a prompt does.
    ...(state.failure ? [shell.assign('_rolecall_failures', String(state.failure.failures)), shell.assign('_rolecall_refresh_at', state.failure.retryAt)] : [SETTLED_LINE]),
  );
  return `${lines.join('\n')}\n`;
}
