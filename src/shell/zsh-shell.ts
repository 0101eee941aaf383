/**
 * bash and zsh share the quoting ($'…' reads back every byte), so the hook
 * text is what differs; it lives here and nowhere else. shell/rolecall.zsh is this
 * text, checked by test/unit/shell-shells.test.ts.
 */
import { noFileLine, updateFunction, WALK_UP_FUNCTION } from './hook-walk.js';
import { assignLine, exportLine, unsetLine } from './ansi-c-quote.js';
import type { Shell } from './shell.js';

const HOOK = `# rolecall's hook for zsh: \`eval "$(rolecall hook zsh)"\` in ~/.zshrc, or
# source this file (the same text). At a prompt it uses builtins only: in the
# same directory it re-reads the .awsprofile it knows ($(<file) does not fork
# in zsh) and checks that the trust store's generation marker still exists;
# after a cd it walks up to the nearest .awsprofile. Only a change, a session
# near expiry or the retry time after a failure runs \`rolecall hook-env\`,
# which decides and prints what to eval. The file's content is compared,
# never evaluated.
_rolecall_hook() {
  # No locals here: a local scope costs more than the rest of a steady prompt.
  _rolecall_status=$? _rolecall_read=
  [[ $PWD == "\${_rolecall_dir-}" ]] || _rolecall_moved zsh || return $_rolecall_status
${noFileLine('zsh')}  [[ -f $_rolecall_file && -r $_rolecall_file ]] && _rolecall_read=$(<"$_rolecall_file")
  if [[ $_rolecall_read != "\${_rolecall_text-}" || ! -e \${_rolecall_gen-} ]] ||
    ((\${_rolecall_refresh_at:-0} && EPOCHSECONDS >= _rolecall_refresh_at)); then
    _rolecall_update zsh
  fi
  return $_rolecall_status
}
${WALK_UP_FUNCTION}${updateFunction('  emulate -L zsh\n')}() {
  emulate -L zsh
  zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
  typeset -g _rolecall_dir=\${_rolecall_dir-} _rolecall_file=\${_rolecall_file-} _rolecall_status= _rolecall_read=
  typeset -ga precmd_functions
  ((\${precmd_functions[(Ie)_rolecall_hook]})) || precmd_functions=(_rolecall_hook $precmd_functions)
}
`;

export const zshShell: Shell = {
  name: 'zsh',
  hook: () => HOOK,
  export: exportLine,
  unset: unsetLine,
  assign: assignLine,
  // `$(<file)` keeps every byte (zsh strings hold NULs) but the trailing newlines.
  textView: (bytes) => {
    let end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0x0a) end--;
    return bytes.subarray(0, end);
  },
};
