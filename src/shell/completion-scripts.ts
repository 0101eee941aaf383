/**
 * The completion scripts `rolecall completion SHELL` prints. Each one only
 * hands the command line to rolecall's completer and offers back what it
 * prints, one candidate a line: the words are computed in one place
 * (complete-words.ts) for the three shells. A candidate is only ever a value
 * (an array element, a compadd argument, a line of a command substitution),
 * never text the shell parses, so a profile named `a;rm -rf ~` or `$(…)` is
 * offered and inserted as a name and nothing in it runs. Where rolecall has
 * nothing to offer (the command exec runs, a directory), file names are.
 *
 * The completer is the node and dist/complete.cjs of the rolecall that
 * printed the script (a TAB then costs about a bare node start), or, if
 * either has gone since (a saved fish file, an uninstalled node),
 * `rolecall __complete` from the PATH.
 */
import { ArgumentError } from '../base/errors.js';
import { shellQuote } from './ansi-c-quote.js';
import { backslashSingleQuote } from './backslash-quote.js';

export interface Completer {
  /** The node binary, and the file it runs: dist/complete.cjs. */
  readonly node: string;
  readonly file: string;
}

// bash gets the line as typed and its word breaks; rolecall reads the line
// as bash's parser would and prints the replacement text already quoted
// (bash-completion-line.ts), which the loop stores without splitting or eval.
const bash = (node: string, file: string) => `# rolecall completion for bash: eval "$(rolecall completion bash)" in ~/.bashrc
_rolecall_complete() {
  local reply
  local -a completer=(command rolecall __complete)
  [[ -x ${node} && -f ${file} ]] && completer=(${node} ${file})
  COMPREPLY=()
  while IFS= read -r reply; do
    COMPREPLY+=("$reply")
  done < <("\${completer[@]}" bash "\${COMP_LINE:0:COMP_POINT}" "$COMP_WORDBREAKS" 2>/dev/null)
}
complete -o default -F _rolecall_complete rolecall
`;

// zsh gets the words unquoted by the (Q) flag (a parameter flag, not eval);
// compadd quotes each match itself as it inserts it.
const zsh = (node: string, file: string) => `# rolecall completion for zsh: eval "$(rolecall completion zsh)" in ~/.zshrc, after compinit
_rolecall() {
  local -a candidates completer
  completer=(command rolecall __complete)
  [[ -x ${node} && -f ${file} ]] && completer=(${node} ${file})
  candidates=(\${(f)"$("\${completer[@]}" zsh -- "\${(@Q)words[2,CURRENT-1]}" "\${(Q)PREFIX}" 2>/dev/null)"})
  if (( \${#candidates} )); then
    compadd -a candidates
  else
    _files
  fi
}
if (( \${+functions[compdef]} )); then
  compdef _rolecall rolecall
else
  print -u2 'rolecall: zsh completion needs compinit first: autoload -Uz compinit && compinit'
fi
`;

// fish tokenizes and unquotes the words (commandline -opc); each output
// line of the command substitution is one candidate, escaped by fish as it
// inserts it.
const fish = (node: string, file: string) => `# rolecall completion for fish: rolecall completion fish > ~/.config/fish/completions/rolecall.fish
function __rolecall_complete
    set -l words (commandline -opc)
    set -l current (string unescape -- (commandline -ct))
    set -l completer rolecall __complete
    if test -x ${node} -a -f ${file}
        set completer ${node} ${file}
    end
    set -l candidates (command $completer fish -- $words[2..-1] "$current" 2>/dev/null)
    if set -q candidates[1]
        printf '%s\\n' $candidates
    else
        __fish_complete_path "$current"
    end
end
complete -c rolecall -f -a '(__rolecall_complete)'
`;

const SCRIPTS: ReadonlyMap<string, (completer: Completer) => string> = new Map([
  ['bash', (c: Completer) => bash(shellQuote(c.node), shellQuote(c.file))],
  ['zsh', (c: Completer) => zsh(shellQuote(c.node), shellQuote(c.file))],
  ['fish', (c: Completer) => fish(backslashSingleQuote(c.node), backslashSingleQuote(c.file))],
]);

export const COMPLETION_SHELLS: readonly string[] = [...SCRIPTS.keys()];

export function completionScript(shell: string, completer: Completer): string {
  const script = SCRIPTS.get(shell);
  if (script === undefined) throw new ArgumentError(`no completion for shell "${shell}"; rolecall completes in ${COMPLETION_SHELLS.join(', ')}`);
  return script(completer);
}
