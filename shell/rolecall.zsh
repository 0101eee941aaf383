# rolecall's hook for zsh: `eval "$(rolecall hook zsh)"` in ~/.zshrc, or
# source this file (the same text). At a prompt it uses builtins only: in the
# same directory it re-reads the .awsprofile it knows ($(<file) does not fork
# in zsh) and checks that the trust store's generation marker still exists;
# after a cd it walks up to the nearest .awsprofile. Only a change, a session
# near expiry or the retry time after a failure runs `rolecall hook-env`,
# which decides and prints what to eval. The file's content is compared,
# never evaluated.
_rolecall_hook() {
  # No locals here: a local scope costs more than the rest of a steady prompt.
  _rolecall_status=$? _rolecall_read=
  [[ $PWD == "${_rolecall_dir-}" ]] || _rolecall_moved zsh || return $_rolecall_status
  [[ -n ${_rolecall_file-} ]] || {
    [[ -z ${_rolecall_failed_in-} ]] &&
      [[ -f $PWD/.awsprofile && $PWD/.awsprofile != "${_rolecall_skip-}" || -n ${_rolecall_gen-} && ! -e ${_rolecall_gen-} ]] &&
      _rolecall_update zsh
    return $_rolecall_status
  }
  [[ -f $_rolecall_file && -r $_rolecall_file ]] && _rolecall_read=$(<"$_rolecall_file")
  if [[ $_rolecall_read != "${_rolecall_text-}" || ! -e ${_rolecall_gen-} ]] ||
    ((${_rolecall_refresh_at:-0} && EPOCHSECONDS >= _rolecall_refresh_at)); then
    _rolecall_update zsh
  fi
  return $_rolecall_status
}
# After a cd: walks up to the nearest .awsprofile. The same file as before
# (returns 0) is checked like a steady prompt; another one runs hook-env.
# After a failure _rolecall_dir is empty, so every prompt comes here: while
# $PWD and $OLDPWD are as they were (no cd; `cd .` sets OLDPWD, so it counts)
# it is a steady prompt, whose retry time is the failure's.
_rolecall_moved() {
  if [[ -n ${_rolecall_failed_in-} && $PWD$'\n'${OLDPWD-} == "$_rolecall_failed_in" ]]; then return 0; fi
  local _rc_dir=${PWD%/} _rc_file=
  while :; do
    if [[ -f $_rc_dir/.awsprofile ]]; then _rc_file=$_rc_dir/.awsprofile; break; fi
    [[ -n $_rc_dir ]] || break
    _rc_dir=${_rc_dir%/*}
  done
  if [[ $_rc_file != "${_rolecall_file-}" || -n ${_rolecall_failed_in-} ]]; then
    _rolecall_update $1
    return 1
  fi
  _rolecall_dir=$PWD
}
# Runs hook-env in the environment the user had before any profile. Until it
# answers, the state says "failed here, no file": a crash, or a Ctrl-C that
# kills it, is retried after a cd, not at every prompt.
_rolecall_update() {
  emulate -L zsh
  _rolecall_dir= _rolecall_file= _rolecall_failed_in=$PWD$'\n'${OLDPWD-}
  eval "$(
    eval "${_rolecall_restore-}"
    _ROLECALL_PWD=$PWD _ROLECALL_OLDPWD=${OLDPWD-} _ROLECALL_ACTIVE=${_rolecall_profile-} _ROLECALL_REFRESH_AT=${_rolecall_refresh_at-} \
      _ROLECALL_NOTICED=${_rolecall_noticed-} _ROLECALL_FAILURES=${_rolecall_failures-} command rolecall hook-env "$1"
  )"
  # A file here that hook-env does not follow (too large, or a path it cannot
  # read back, such as a name that is not UTF-8) is no news at the next prompt.
  if [[ -z ${_rolecall_file-} && -f $PWD/.awsprofile ]]; then _rolecall_skip=$PWD/.awsprofile; else _rolecall_skip=; fi
}
() {
  emulate -L zsh
  zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
  typeset -g _rolecall_dir=${_rolecall_dir-} _rolecall_file=${_rolecall_file-} _rolecall_status= _rolecall_read=
  typeset -ga precmd_functions
  ((${precmd_functions[(Ie)_rolecall_hook]})) || precmd_functions=(_rolecall_hook $precmd_functions)
}
