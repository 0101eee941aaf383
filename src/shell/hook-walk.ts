/**
 * The parts of the hook that are the same text in bash and zsh: after a cd,
 * walk up to the nearest .awsprofile with builtins only, and run hook-env.
 * Each shell module puts them into its own hook; what differs between the
 * shells stays there.
 */
export const WALK_UP_FUNCTION = `# After a cd: walks up to the nearest .awsprofile. The same file as before
# (returns 0) is checked like a steady prompt; another one runs hook-env.
# After a failure _rolecall_dir is empty, so every prompt comes here: while
# $PWD and $OLDPWD are as they were (no cd; \`cd .\` sets OLDPWD, so it counts)
# it is a steady prompt, whose retry time is the failure's.
_rolecall_moved() {
  if [[ -n \${_rolecall_failed_in-} && $PWD$'\\n'\${OLDPWD-} == "$_rolecall_failed_in" ]]; then return 0; fi
  local _rc_dir=\${PWD%/} _rc_file=
  while :; do
    if [[ -f $_rc_dir/.awsprofile ]]; then _rc_file=$_rc_dir/.awsprofile; break; fi
    [[ -n $_rc_dir ]] || break
    _rc_dir=\${_rc_dir%/*}
  done
  if [[ $_rc_file != "\${_rolecall_file-}" || -n \${_rolecall_failed_in-} ]]; then
    _rolecall_update $1
    return 1
  fi
  _rolecall_dir=$PWD
}
`;

/**
 * A steady prompt where no .awsprofile is followed: a file made here (`echo
 * dev > .awsprofile`) is seen at the next prompt with one stat, and a trust
 * change (`rolecall allow` of a file above, from any shell) by its
 * generation marker, as where a file is followed. A file hook-env does not
 * follow (see _rolecall_update) is skipped so it does not run it at every prompt;
 * so is everything after a hook-env that never answered (a cd retries that).
 */
export function noFileLine(shell: string): string {
  return `  [[ -n \${_rolecall_file-} ]] || {
    [[ -z \${_rolecall_failed_in-} ]] &&
      [[ -f $PWD/.awsprofile && $PWD/.awsprofile != "\${_rolecall_skip-}" || -n \${_rolecall_gen-} && ! -e \${_rolecall_gen-} ]] &&
      _rolecall_update ${shell}
    return $_rolecall_status
  }
`;
}

/**
 * How the hook runs hook-env, the same in both shells; `firstLine` is what a
 * shell needs before it (zsh: its own options). $PWD and $OLDPWD go along
 * because a program cannot ask its shell for them.
 */
export function updateFunction(firstLine: string): string {
  return `# Runs hook-env in the environment the user had before any profile. Until it
# answers, the state says "failed here, no file": a crash, or a Ctrl-C that
# kills it, is retried after a cd, not at every prompt.
_rolecall_update() {
${firstLine}  _rolecall_dir= _rolecall_file= _rolecall_failed_in=$PWD$'\\n'\${OLDPWD-}
  eval "$(
    eval "\${_rolecall_restore-}"
    _ROLECALL_PWD=$PWD _ROLECALL_OLDPWD=\${OLDPWD-} _ROLECALL_ACTIVE=\${_rolecall_profile-} _ROLECALL_REFRESH_AT=\${_rolecall_refresh_at-} \\
      _ROLECALL_NOTICED=\${_rolecall_noticed-} _ROLECALL_FAILURES=\${_rolecall_failures-} command rolecall hook-env "$1"
  )"
  # A file here that hook-env does not follow (too large, or a path it cannot
  # read back, such as a name that is not UTF-8) is no news at the next prompt.
  if [[ -z \${_rolecall_file-} && -f $PWD/.awsprofile ]]; then _rolecall_skip=$PWD/.awsprofile; else _rolecall_skip=; fi
}
`;
}
