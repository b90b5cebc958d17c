# shellcheck shell=bash
# Shared helpers for scripts/services/*.sh. Sourced, never run.
#
# Layout (all under $ASOF_SERVICES_DIR, default <repo>/.services, git-ignored):
#   <svc>.pid   pid of the running server (our own file, not the server's)
#   <svc>.port  the port it listens on (written once it is ready)
#   <svc>.log   its stdout/stderr for the current run (<svc>.log.prev: last run)
#   <svc>.lock  flock so two starts/stops of one service never race
# Downloads are cached under $ASOF_CACHE_DIR (default ~/.cache/asof) and reused.

set -euo pipefail

SERVICES_SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd "$SERVICES_SCRIPT_DIR/../.." && pwd -P)
ASOF_SERVICES_DIR=${ASOF_SERVICES_DIR:-$REPO_ROOT/.services}
ASOF_CACHE_DIR=${ASOF_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/asof}
# absolute, since servers are started from other directories
mkdir -p "$ASOF_SERVICES_DIR" "$ASOF_CACHE_DIR"
ASOF_SERVICES_DIR=$(cd "$ASOF_SERVICES_DIR" && pwd -P)
ASOF_CACHE_DIR=$(cd "$ASOF_CACHE_DIR" && pwd -P)
export ASOF_SERVICES_DIR ASOF_CACHE_DIR

# Set by each service script before calling svc_main:
#   SVC            short name (mariadb, dynamodb-local, s3)
#   SVC_MATCH      a string that must appear in the process's command line
#   SVC_PORT_VAR   name of the env var that overrides the port
#   SVC_PORT_DEFAULT
#   SVC_START_TIMEOUT  seconds
# and defines: svc_install, svc_spawn PORT, svc_ready PORT, svc_env PORT,
# optionally svc_after_ready PORT, svc_describe PORT, svc_find_orphan (prints
# "PID PORT" of a running server of ours that has lost its pid file) and
# svc_ensure PORT (idempotent state every start promises, e.g. a default S3
# bucket; also run when the service is already running).

svc_init_paths() {
  mkdir -p "$ASOF_SERVICES_DIR"
  PIDFILE=$ASOF_SERVICES_DIR/$SVC.pid
  PORTFILE=$ASOF_SERVICES_DIR/$SVC.port
  LOG=$ASOF_SERVICES_DIR/$SVC.log
  LOCKFILE=$ASOF_SERVICES_DIR/$SVC.lock
}

die() {
  echo "$SVC: error: $*" >&2
  exit 1
}

# die, after printing the tail of the service's log.
die_with_log() {
  echo "$SVC: error: $*" >&2
  if [[ -s ${LOG:-} ]]; then
    echo "--- last 20 lines of $LOG ---" >&2
    tail -n 20 "$LOG" >&2
    echo "---" >&2
  fi
  exit 1
}

now() { echo "${EPOCHREALTIME/,/.}"; }
elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Take the service's lock for the rest of this script (fd 9; closed in spawned servers).
svc_lock() {
  exec 9>"$LOCKFILE"
  flock -w 600 9 || die "timed out waiting for $LOCKFILE"
}

# Print the pid if the pid file names a live process whose command line matches; else fail.
# A pid file whose process is gone (or whose pid was reused by something else) is stale.
svc_pid() {
  local pid cmd
  [[ -f $PIDFILE ]] || return 1
  pid=$(<"$PIDFILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  cmd=$({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null) || return 1
  [[ $cmd == *"$SVC_MATCH"* ]] || return 1
  echo "$pid"
}

svc_clear_state() { rm -f "$PIDFILE" "$PORTFILE"; }

port_in_use() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Htln "sport = :$port" 2>/dev/null) ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# The port to start on: $<SVC_PORT_VAR> if set (must be free), else the default or,
# if that is taken by something else, the next free one within 50.
svc_choose_port() {
  local explicit=${!SVC_PORT_VAR:-} port
  if [[ -n $explicit ]]; then
    [[ $explicit =~ ^[0-9]+$ ]] || die "$SVC_PORT_VAR=$explicit is not a port number"
    port_in_use "$explicit" && die "port $explicit ($SVC_PORT_VAR) is already in use by another process"
    echo "$explicit"
    return
  fi
  for ((port = SVC_PORT_DEFAULT; port < SVC_PORT_DEFAULT + 50; port++)); do
    if ! port_in_use "$port"; then
      echo "$port"
      return
    fi
  done
  die "no free port in $SVC_PORT_DEFAULT..$((SVC_PORT_DEFAULT + 49)); set $SVC_PORT_VAR"
}

# Run "$@" detached (own session, stdin /dev/null, output to $LOG, no inherited fds
# beyond 0-2) and write its pid to $PIDFILE. The inner bash writes its own pid and
# execs, so the pid file names the server itself.
svc_spawn_detached() {
  if [[ -f $LOG ]]; then mv -f "$LOG" "$LOG.prev"; fi
  : >"$LOG"
  rm -f "$PIDFILE"
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid bash -c '
    pidfile=$1; shift
    for fd in /proc/$$/fd/*; do
      n=${fd##*/}
      if [[ $n =~ ^[0-9]+$ ]] && ((n > 2)); then eval "exec $n>&-" 2>/dev/null || true; fi
    done
    echo $$ >"$pidfile"
    exec "$@"
  ' svc-spawn "$PIDFILE" "$@" </dev/null >>"$LOG" 2>&1 9>&- &
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -s $PIDFILE ]] && return 0
    sleep 0.05
  done
  die_with_log "could not launch: $*"
}

svc_kill_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 300; i++)); do # 30 s
    kill -0 "$pid" 2>/dev/null || return 0
    # a zombie has an empty cmdline (and /proc files all report size 0): read it
    [[ -n $({ tr -d '\0' <"/proc/$pid/cmdline"; } 2>/dev/null) ]] || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# up.sh asks, through $ASOF_SERVICES_REPORT, whether start did anything.
svc_report() { if [[ -n ${ASOF_SERVICES_REPORT:-} ]]; then echo "$1" >"$ASOF_SERVICES_REPORT"; fi; }

svc_start() {
  svc_lock
  local pid port
  if pid=$(svc_pid); then
    port=$(cat "$PORTFILE" 2>/dev/null || true)
    local explicit=${!SVC_PORT_VAR:-}
    if [[ -n $explicit && -n $port && $explicit != "$port" ]]; then
      die "already running on port $port (pid $pid), but $SVC_PORT_VAR=$explicit; stop it first"
    fi
    if declare -F svc_ensure >/dev/null && [[ -n $port ]]; then
      svc_ensure "$port" || die_with_log "running on port $port, but could not set up its default state"
    fi
    svc_report running
    return 0 # already running: nothing else to do
  fi
  svc_clear_state # stale or absent
  # A server of ours still running without its pid file (e.g. the file was
  # deleted): adopt it rather than start a second one on the same data.
  if declare -F svc_find_orphan >/dev/null && read -r pid port < <(svc_find_orphan); then
    if [[ -n ${pid:-} && -n ${port:-} ]] && svc_ready "$port"; then
      echo "$pid" >"$PIDFILE"
      echo "$port" >"$PORTFILE"
      svc_report running
      return 0
    fi
  fi
  svc_install
  port=$(svc_choose_port)
  svc_spawn "$port"
  local deadline
  deadline=$((SECONDS + SVC_START_TIMEOUT))
  while :; do
    if ! svc_pid >/dev/null; then
      # gone, or no longer looks like our server: make sure nothing is left behind
      pid=$(cat "$PIDFILE" 2>/dev/null || true)
      if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then svc_kill_pid "$pid"; fi
      svc_clear_state
      die_with_log "exited during start-up (port $port)"
    fi
    if svc_ready "$port"; then break; fi
    if ((SECONDS >= deadline)); then
      pid=$(svc_pid || true)
      [[ -n $pid ]] && svc_kill_pid "$pid"
      svc_clear_state
      die_with_log "not ready after ${SVC_START_TIMEOUT}s on port $port; stopped it"
    fi
    sleep 0.2
  done
  local setup
  for setup in svc_after_ready svc_ensure; do
    declare -F "$setup" >/dev/null || continue
    if ! "$setup" "$port"; then
      pid=$(svc_pid || true)
      [[ -n $pid ]] && svc_kill_pid "$pid"
      svc_clear_state
      die_with_log "post-start setup ($setup) failed; stopped it"
    fi
  done
  echo "$port" >"$PORTFILE"
  svc_report started
}

svc_stop() {
  svc_lock
  local pid
  if pid=$(svc_pid); then
    svc_kill_pid "$pid"
  fi
  svc_clear_state
}

svc_status() {
  local pid port
  if ! pid=$(svc_pid); then
    echo "$SVC: stopped"
    return 3
  fi
  port=$(cat "$PORTFILE" 2>/dev/null || true)
  if [[ -z $port ]]; then
    echo "$SVC: starting (pid $pid)"
    return 1
  fi
  if ! svc_ready "$port"; then
    echo "$SVC: not answering (pid $pid, port $port)"
    return 1
  fi
  local extra=""
  if declare -F svc_describe >/dev/null; then extra=" $(svc_describe "$port")"; fi
  echo "$SVC: running (pid $pid, 127.0.0.1:$port)$extra"
}

svc_print_env() {
  local port
  svc_pid >/dev/null || die "not running"
  port=$(<"$PORTFILE")
  svc_env "$port"
}

# apt-get, serialised between our own scripts, update at most once per hour.
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found; install $* by hand"
  mkdir -p "$ASOF_CACHE_DIR"
  local apt_log=$ASOF_SERVICES_DIR/apt.log
  (
    exec 8>"$ASOF_CACHE_DIR/apt.lock"
    flock -w 900 8 || { echo "$SVC: error: timed out waiting for the apt lock" >&2; exit 1; }
    local stamp=$ASOF_CACHE_DIR/apt-updated
    if [[ -z $(find "$stamp" -mmin -60 2>/dev/null) ]]; then
      apt-get -o DPkg::Lock::Timeout=600 update >>"$apt_log" 2>&1 ||
        { echo "$SVC: error: apt-get update failed (see $apt_log)" >&2; tail -n 20 "$apt_log" >&2; exit 1; }
      touch "$stamp"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@" >>"$apt_log" 2>&1 ||
      { echo "$SVC: error: apt-get install $* failed (see $apt_log)" >&2; tail -n 20 "$apt_log" >&2; exit 1; }
  ) 8>&-
}

# Rewrite $ASOF_SERVICES_DIR/env with the endpoints of every service up now.
write_env_file() {
  local tmp s
  tmp=$(mktemp "$ASOF_SERVICES_DIR/.env.XXXXXX")
  {
    echo "# written by scripts/services/up.sh; load with: set -a; . $ASOF_SERVICES_DIR/env; set +a"
    for s in mariadb dynamodb-local s3; do
      "$SERVICES_SCRIPT_DIR/$s.sh" env 2>/dev/null || true
    done
  } >"$tmp"
  chmod 644 "$tmp"
  mv -f "$tmp" "$ASOF_SERVICES_DIR/env"
}

svc_usage() {
  echo "usage: $(basename "$0") start|stop|restart|status|install|env" >&2
  exit 2
}

svc_main() {
  svc_init_paths
  case "${1:-}" in
    start) svc_start ;;
    stop) svc_stop ;;
    restart) svc_stop; svc_start ;;
    status) svc_status ;;
    install) svc_install ;;
    env) svc_print_env ;;
    *) svc_usage ;;
  esac
}
