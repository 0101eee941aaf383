/**
 * The part of the hook that is the same text in bash and zsh: after a cd,
 * walk up to the nearest .awsprofile with builtins only. Each shell module
 * puts it into its own hook; what differs between the shells stays there.
 */
export const WALK_UP_FUNCTION = `# After a cd: walks up to the nearest .awsprofile. The same file as before
# (returns 0) is checked like a steady prompt; another one runs hook-env.
_rolecall_moved() {
  local _rc_dir=\${PWD%/} _rc_file=
  while :; do
    if [[ -f $_rc_dir/.awsprofile ]]; then _rc_file=$_rc_dir/.awsprofile; break; fi
    [[ -n $_rc_dir ]] || break
    _rc_dir=\${_rc_dir%/*}
  done
  if [[ $_rc_file != "\${_rolecall_file-}" || -n \${_rolecall_retry-} ]]; then
    _rolecall_update $1
    return 1
  fi
  _rolecall_dir=$PWD
}
`;
