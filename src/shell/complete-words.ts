/**
 * What a shell offers for the word under the cursor of a `rolecall` command
 * line: plain data in, plain data out, the same for bash, zsh and fish (each
 * script only hands the words over and inserts what comes back, quoted by
 * the shell or by bash-completion-line.ts). The words of each command live in
 * one table (cli/completion-table.ts); profile names are asked for only at a
 * position that takes one, so the config files are read only then.
 */

/** The candidates of one position: a fixed list, or the profiles of the config files. */
export type Words = readonly string[] | 'profiles';

export interface CommandWords {
  /** The command's name and its aliases (`list`, `ls`). */
  readonly names: readonly string[];
  /** Each flag: null when it takes no value, else its value's candidates ([] for free text). */
  readonly flags: Readonly<Record<string, Words | null>>;
  /** The positional words in order. */
  readonly operands: readonly Words[];
  /** The candidates of every positional word after `operands` (`import PROFILE…`). */
  readonly rest?: Words;
  /**
   * Whether the words after the operands (or after `--`) are another
   * command's, as in `exec PROFILE -- CMD`: nothing of rolecall's is offered there.
   */
  readonly childCommandAfter?: boolean;
}

export interface CompletionTable {
  readonly commands: readonly CommandWords[];
  /** The flags before any command (`--help`, `--version`). */
  readonly globalFlags: readonly string[];
}

/**
 * `words` are the words after `rolecall` before the cursor, unquoted;
 * `current` is the part of the word under the cursor typed so far. The
 * result is the candidates that start with `current`, each a whole word.
 */
export function completeWords(table: CompletionTable, words: readonly string[], current: string, profiles: () => readonly string[]): string[] {
  const startingWith = (candidates: Words | undefined): string[] => {
    const list = candidates === 'profiles' ? profiles() : (candidates ?? []);
    return [...new Set(list)].filter((word) => word.startsWith(current));
  };
  const at = words.findIndex((word) => !word.startsWith('-'));
  // A command of two words (`sso login`) is offered a word at a time: `sso`, then `login`.
  const names = table.commands.flatMap((c) => c.names);
  if (at < 0) return startingWith(current.startsWith('-') ? table.globalFlags : names.map((name) => name.split(' ')[0] as string));
  const group = names.filter((name) => name.startsWith(`${words[at]} `));
  if (group.length > 0 && at === words.length - 1) return startingWith(group.map((name) => name.slice((words[at] as string).length + 1)));
  const name = group.length > 0 ? `${words[at]} ${words[at + 1]}` : (words[at] as string);
  const command = table.commands.find((c) => c.names.includes(name));
  if (!command) return [];

  let operands = 0;
  let flagsEnded = false;
  for (let i = at + (group.length > 0 ? 2 : 1); i < words.length; i++) {
    const word = words[i] as string;
    if (!flagsEnded && word === '--') flagsEnded = true;
    else if (!flagsEnded && word.startsWith('-') && word !== '-') {
      const values = command.flags[word];
      if (values !== null && values !== undefined && !word.includes('=')) {
        if (i === words.length - 1) return startingWith(values);
        i++;
      }
    } else operands++;
  }
  if (command.childCommandAfter && (flagsEnded || operands >= command.operands.length)) return [];
  if (!flagsEnded && current.startsWith('-')) {
    const equals = current.indexOf('=');
    if (equals > 0) {
      const flag = current.slice(0, equals);
      const values = command.flags[flag];
      if (values === null || values === undefined) return [];
      return startingWith((values === 'profiles' ? profiles() : values).map((value) => `${flag}=${value}`));
    }
    return startingWith([...Object.keys(command.flags), '--help']);
  }
  return startingWith(command.operands[operands] ?? command.rest);
}
