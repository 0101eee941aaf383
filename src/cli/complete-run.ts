/**
 * What the completion scripts run at each TAB (shell/completion-scripts.ts):
 * dist/complete.cjs (complete-entry.ts), or `rolecall __complete`, which
 * entry.ts routes past clipanion, where that file has gone. It loads only
 * the config parsing: neither clipanion, the AWS SDK nor keytar.
 *
 *   rolecall __complete bash LINE WORDBREAKS     the line up to the cursor; prints bash's replacement texts
 *   rolecall __complete zsh|fish -- WORD… CURRENT  the words before the cursor, unquoted; prints the candidates
 */
import type { Env } from '../base/env.js';
import { loadConfig } from '../config/load-config.js';
import { bashReplies, readBashLine } from '../shell/bash-completion-line.js';
import { completeWords } from '../shell/complete-words.js';
import { COMPLETION_TABLE } from './completion-table.js';

/** bash's default COMP_WORDBREAKS, for a caller that passes none. */
const BASH_WORD_BREAKS = ' \t\n"\'><=;|&(:';

export function completionReply(args: readonly string[], env: Env): string[] {
  const [shell, ...rest] = args;
  const profiles = () => profileNames(env);
  if (shell === 'bash') {
    const line = readBashLine(rest[0] ?? '', rest[1] ?? BASH_WORD_BREAKS);
    return bashReplies(line, completeWords(COMPLETION_TABLE, line.words.slice(1), line.current, profiles));
  }
  const words = rest[0] === '--' ? rest.slice(1) : [...rest];
  const current = words.pop() ?? '';
  return completeWords(COMPLETION_TABLE, words, current, profiles);
}

/**
 * The profiles of the two files, as exec would find them. A file that does
 * not parse completes no profile rather than printing an error at a TAB
 * (exec says what is wrong when it runs); a name holding a control character
 * cannot travel as one line, and is left out.
 */
function profileNames(env: Env): string[] {
  try {
    return [...loadConfig(env).profiles.keys()].filter((name) => !/[\x00-\x1f\x7f]/.test(name));
  } catch {
    return [];
  }
}
