#!/usr/bin/env bash
# Usage: scripts/registry.sh [--port PORT] start|stop|status
#        scripts/registry.sh --help
#
# A local image registry on 127.0.0.1:32000, where microk8s's registry add-on
# listens, for machines without that add-on: Debian's docker-registry, with its
# config, data, log and pid file under $ASKELADDEN_STATE/registry-PORT/.
#
#   start    start it and wait until /v2/ answers; does nothing when a registry
#            already answers there (the add-on, or an earlier start)
#   stop     stop the registry this script started; leaves any other alone
#   status   say what answers on the port, and exit 1 when nothing does
#
# Options:
#   --port PORT   listen on 127.0.0.1:PORT instead (default 32000)
#   -h, --help    show this help
#
# Plain HTTP on loopback only: Docker pushes to 127.0.0.0/8 without TLS, and
# nothing outside this machine can reach it.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

PORT=32000
ACTION=

while (($# > 0)); do
  case "$1" in
    -h | --help) print_usage; exit 0 ;;
    --port) (($# > 1)) || usage_error "--port needs a value"; PORT="$2"; shift ;;
    --port=*) PORT="${1#*=}" ;;
    start | stop | status) [[ -z "$ACTION" ]] || usage_error "one action at a time"; ACTION="$1" ;;
    -*) usage_error "unknown option '$1'" ;;
    *) usage_error "unknown action '$1'" ;;
  esac
  shift
done
[[ -n "$ACTION" ]] || usage_error "name an action: start, stop or status"
if ! [[ "$PORT" =~ ^[0-9]+$ ]] || ((PORT < 1 || PORT > 65535)); then
  usage_error "bad port '$PORT'"
fi

ADDR="127.0.0.1:$PORT"
DIR="$ASKELADDEN_STATE/registry-$PORT"
PIDFILE="$DIR/registry.pid"
LOG="$DIR/registry.log"

# The pid of the registry this script started, if it is still running. A pid
# alone is not enough: after a reboot or a crash the number may belong to
# another process, which stop must not kill. Ours serves our config file.
our_pid() {
  local pid
  [[ -f "$PIDFILE" ]] || return 1
  pid="$(cat "$PIDFILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "docker-registry serve $DIR/config.yml" || return 1
  printf '%s\n' "$pid"
}

write_config() {
  mkdir -p "$DIR/data"
  cat >"$DIR/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $DIR/data
  delete:
    enabled: true
http:
  addr: $ADDR
EOF
}

start() {
  if registry_answers "$ADDR"; then
    ok "a registry already answers on http://$ADDR/v2/; nothing to do"
    return 0
  fi
  port_open 127.0.0.1 "$PORT" && die "something that is not a registry listens on $ADDR (find it with: ss -ltnp)"
  have docker-registry || die "docker-registry is not installed (run: scripts/setup.sh registry)"
  step "starting docker-registry on $ADDR (data and log under $DIR)"
  write_config
  start_daemon "$LOG" docker-registry serve "$DIR/config.yml"
  local pid=$!
  echo "$pid" >"$PIDFILE"
  if ! wait_until 15 "" registry_answers "$ADDR"; then
    kill "$pid" 2>/dev/null || true
    rm -f "$PIDFILE"
    die "docker-registry did not answer on $ADDR within 15 s; its log: $LOG"
  fi
  ok "registry answers on http://$ADDR/v2/"
}

stop() {
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$PIDFILE"
    if registry_answers "$ADDR"; then
      info "the registry on $ADDR was not started by this script; leaving it alone"
    else
      info "no registry runs on $ADDR"
    fi
    return 0
  fi
  step "stopping docker-registry (pid $pid) on $ADDR"
  kill "$pid"
  wait_until 10 "" bash -c "! kill -0 $pid" || die "docker-registry (pid $pid) did not stop within 10 s"
  rm -f "$PIDFILE"
  ok "stopped; its data stays in $DIR/data"
}

status() {
  local pid
  if ! registry_answers "$ADDR"; then
    info "no registry answers on http://$ADDR/v2/"
    return 1
  fi
  if pid="$(our_pid)"; then
    ok "registry answers on http://$ADDR/v2/ (docker-registry pid $pid, data in $DIR/data)"
  else
    ok "registry answers on http://$ADDR/v2/ (not started by this script)"
  fi
}

"$ACTION"
