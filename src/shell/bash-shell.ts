/**
 * bash and zsh share the quoting ($'…' reads back every byte), so the hook
 * text is what differs; it lives here and nowhere else. shell/rolecall.bash is this
 * text, checked by test/unit/shell-shells.test.ts.
 */
import { noFileLine, updateFunction, WALK_UP_FUNCTION } from './hook-walk.js';
import { assignLine, exportLine, unsetLine } from './ansi-c-quote.js';
import type { Shell } from './shell.js';

const HOOK = `# rolecall's hook for bash: \`eval "$(rolecall hook bash)"\` in ~/.bashrc, or
# source this file (the same text). At a prompt it uses builtins only: in the
# same directory it re-reads the .awsprofile it knows and checks that the
# trust store's generation marker still exists; after a cd it walks up to the
# nearest .awsprofile. Only a change, a session near expiry or the retry time
# after a failure runs \`rolecall hook-env\`, which decides and prints what to
# eval. The file's content is compared, never evaluated.
_rolecall_hook() {
  # No locals here: a local scope costs more than the rest of a steady prompt.
  _rolecall_status=$? _rolecall_read=
  [[ $PWD == "\${_rolecall_dir-}" ]] || _rolecall_moved bash || return $_rolecall_status
${noFileLine('bash')}  [[ -f $_rolecall_file && -r $_rolecall_file ]] && IFS= read -r -d '' _rolecall_read <"$_rolecall_file"
  if [[ $_rolecall_read != "\${_rolecall_text-}" || ! -e \${_rolecall_gen-} ]] ||
    ((\${_rolecall_refresh_at:-0} && \${EPOCHSECONDS:-0} >= _rolecall_refresh_at)); then
    _rolecall_update bash
  fi
  return $_rolecall_status
}
${WALK_UP_FUNCTION}${updateFunction('')}if [[ -n \${PROMPT_COMMAND+set} && \${PROMPT_COMMAND@a} == *a* ]]; then
  [[ " \${PROMPT_COMMAND[*]} " == *" _rolecall_hook "* ]] || PROMPT_COMMAND=(_rolecall_hook "\${PROMPT_COMMAND[@]}")
else
  [[ ";\${PROMPT_COMMAND-};" == *";_rolecall_hook;"* ]] || PROMPT_COMMAND="_rolecall_hook\${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
fi
`;

export const bashShell: Shell = {
  name: 'bash',
  hook: () => HOOK,
  export: exportLine,
  unset: unsetLine,
  assign: assignLine,
  // `IFS= read -r -d ''` keeps every byte up to the first NUL.
  textView: (bytes) => {
    const nul = bytes.indexOf(0);
    return nul === -1 ? bytes : bytes.subarray(0, nul);
  },
};
