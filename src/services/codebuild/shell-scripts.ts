/** Under `run-as`, the user's own HOME, USER and LOGNAME, over whatever the build set. */
const RUN_AS_IDENTITY = `if [ -n "$__cb_user" ]; then export HOME="$__cb_home" USER="$__cb_user" LOGNAME="$__cb_user"; fi`;

/**
 * One command of version 0.2. Variables and the working directory persist from command to
 * command, as CodeBuild does: the previous command's exported state is sourced, every
 * assignment is exported (`set -a`), and on exit (even `exit 3`) the state and the directory
 * are saved for the next command. Only shell builtins run here (the command is sourced from
 * its file), so a command costs one process. POSIX sh, so `/bin/sh` works too.
 */
export const PERSISTENT = `__cb_ok=$__CB_SUCCEEDING; __cb_agent=$__CB_AGENT; __cb_user=$__CB_USER; __cb_home=$__CB_HOME
unset __CB_SUCCEEDING __CB_AGENT __CB_MARK __CB_USER __CB_HOME
. "$__cb_agent/base.sh"
if [ -f "$__cb_agent/env.sh" ]; then . "$__cb_agent/env.sh" >/dev/null 2>&1; fi
if [ -f "$__cb_agent/cwd" ]; then read -r __cb_dir < "$__cb_agent/cwd"; cd "$__cb_dir" 2>/dev/null || true; fi
${RUN_AS_IDENTITY}
export CODEBUILD_BUILD_SUCCEEDING="$__cb_ok"
trap 'set -- "$?"; set +a; export -p > "$__cb_agent/env.sh"; pwd > "$__cb_agent/cwd"; exit "$1"' EXIT
set -a
. "$__cb_agent/cmd"
`;

/** Version 0.1: each command in a fresh shell in the source directory. */
export const ISOLATED = `__cb_agent=$__CB_AGENT; __cb_ok=$__CB_SUCCEEDING; __cb_user=$__CB_USER; __cb_home=$__CB_HOME
unset __CB_SUCCEEDING __CB_AGENT __CB_MARK __CB_USER __CB_HOME
. "$__cb_agent/base.sh"
${RUN_AS_IDENTITY}
export CODEBUILD_BUILD_SUCCEEDING="$__cb_ok"
. "$__cb_agent/cmd"
`;

/**
 * The build's driver: one sandboxed process for the whole build, started while the source
 * downloads, so a command costs one process rather than a new sandbox. It reads
 * `<n> <succeeding> <run|capture> <shell> <script> <run-as user or ->` lines from a FIFO, runs
 * the command in `cmd` with that shell and wrapper script, as that user (stdin closed, stderr merged into stdout as the AWS
 * log does) and prints a marker with the exit status.
 */
export const DRIVER = `exec 2>&1
mkfifo -m 600 "$__CB_AGENT/ctl" || exit 1
printf '%s ready\\n' "$__CB_MARK"
exec 3< "$__CB_AGENT/ctl"
while IFS=' ' read -r __n __ok __mode __sh __script __user <&3; do
  [ "$__n" = exit ] && break
  # Output goes to the log, or to a file for a capture; stdout is a socket, so never reopened by path.
  if [ "$__mode" = capture ]; then exec 4>"$__CB_AGENT/out" 5>/dev/null; else exec 4>&1 5>&1; fi
  if [ "$__user" != - ]; then
    # run-as: <name>:<uid>:<gid>:<home>; the command's shell runs as that user (setpriv, else runuser).
    __un=\${__user%%:*}; __r=\${__user#*:}; __uid=\${__r%%:*}; __r=\${__r#*:}; __gid=\${__r%%:*}; __uh=\${__r#*:}
    if command -v setpriv >/dev/null 2>&1; then set -- setpriv --reuid="$__uid" --regid="$__gid" --init-groups --
    else set -- runuser -u "$__un" --; fi
    __CB_SUCCEEDING=$__ok __CB_USER=$__un __CB_HOME=$__uh "$@" "$__sh" "$__CB_AGENT/$__script" </dev/null 3<&- >&4 2>&5 4>&- 5>&-
  elif [ "$__sh" = bash ] && [ -n "$BASH_VERSION" ]; then
    # A bash driver forks a subshell for a bash command: no new process image to load.
    ( __CB_SUCCEEDING=$__ok; . "$__CB_AGENT/$__script" ) </dev/null 3<&- >&4 2>&5 4>&- 5>&-
  else
    __CB_SUCCEEDING=$__ok "$__sh" "$__CB_AGENT/$__script" </dev/null 3<&- >&4 2>&5 4>&- 5>&-
  fi
  __rc=$?
  exec 4>&- 5>&-
  printf '%s %s %s\\n' "$__CB_MARK" "$__n" "$__rc"
done
printf '%s bye\\n' "$__CB_MARK"
`;

