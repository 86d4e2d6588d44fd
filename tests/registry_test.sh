#!/usr/bin/env bash
# Usage: tests/registry_test.sh [--help]
#
# Tests for scripts/registry.sh, each against a real docker-registry on a free
# loopback port, with the state under a directory of the test's own:
#   - start: the registry answers, its data is under the state directory, and
#     a second start does nothing; status says it is ours
#   - start when something that is not a registry holds the port: one clear
#     line, exit 1, nothing started
#   - stop when the registry running is not ours (started with another state
#     directory, or a stale pid file naming another process): it is left alone
#   - stop: nothing answers any more; status then exits 1
#
# Needs docker-registry and curl (scripts/setup.sh registry); `make
# test-redeploy` runs it. Closes with "registry: N passed, N failed".
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

accept_only_help "$@"
require_cmd docker-registry curl

REGISTRY_SH="$ASKELADDEN_ROOT/scripts/registry.sh"
CAPTURED="$(mktemp -d)"
PORT="$(free_port)"
OTHER_PORT="$(free_port)"
export ASKELADDEN_STATE="$CAPTURED/state"
OTHER_STATE="$CAPTURED/other-state"
HELPERS=()

cleanup() {
  local pid
  "$REGISTRY_SH" --port "$PORT" stop >/dev/null 2>&1 || true
  ASKELADDEN_STATE="$OTHER_STATE" "$REGISTRY_SH" --port "$OTHER_PORT" stop >/dev/null 2>&1 || true
  for pid in "${HELPERS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$CAPTURED"
}
trap cleanup EXIT

alive() { kill -0 "$1" 2>/dev/null; }

test_start() {
  # Started under a lock its caller holds (flock FILE registry.sh start):
  # the registry keeps none of the caller's files open, so the lock is free
  # again once start returns.
  capture flock "$CAPTURED/held.lock" "$REGISTRY_SH" --port "$PORT" start
  check_eq "start: exits 0" 0 "$RC"
  check "start under a lock: the running registry does not hold it" flock -n "$CAPTURED/held.lock" true
  check "start: docker-registry answers on 127.0.0.1:$PORT" registry_answers "127.0.0.1:$PORT"
  check "start: data under the state directory" test -d "$ASKELADDEN_STATE/registry-$PORT/data"
  capture "$REGISTRY_SH" --port "$PORT" start
  check "start again: does nothing" said "nothing to do"
  capture "$REGISTRY_SH" --port "$PORT" status
  check_eq "status: exits 0" 0 "$RC"
  check "status: names the pid of the registry it started" said "docker-registry pid"
}

# A plain HTTP server, not a registry, on a free port: start must refuse.
test_start_on_a_port_held_by_something_else() {
  local port
  port="$(free_port)"
  /usr/bin/python3 -m http.server --bind 127.0.0.1 "$port" >/dev/null 2>&1 &
  HELPERS+=("$!")
  wait_until 10 "" port_open 127.0.0.1 "$port" || die "python3 -m http.server did not listen on $port"
  capture "$REGISTRY_SH" --port "$port" start
  check_eq "start on a port an HTTP server holds: exits 1" 1 "$RC"
  check "start on a port an HTTP server holds: one line naming it" \
    test "$(err_lines)" -eq 1 -a -n "$(grep -F "not a registry listens on 127.0.0.1:$port" "$CAPTURED/err")"
  check "start on a port an HTTP server holds: no pid file" test ! -e "$ASKELADDEN_STATE/registry-$port/registry.pid"
  check "start on a port an HTTP server holds: the server still runs" alive "${HELPERS[-1]}"
}

# A registry this state directory did not start: another one's, and then a
# stale pid file that names an unrelated process.
test_stop_leaves_other_registries_alone() {
  local pidfile="$ASKELADDEN_STATE/registry-$OTHER_PORT/registry.pid"
  capture env ASKELADDEN_STATE="$OTHER_STATE" "$REGISTRY_SH" --port "$OTHER_PORT" start
  check_eq "another state directory's registry: starts" 0 "$RC"
  capture "$REGISTRY_SH" --port "$OTHER_PORT" status
  check "status of a registry not ours: says so" said "not started by this script"
  capture "$REGISTRY_SH" --port "$OTHER_PORT" stop
  check "stop of a registry not ours: says it leaves it alone" said "leaving it alone"
  check "stop of a registry not ours: it still answers" registry_answers "127.0.0.1:$OTHER_PORT"

  tail -f /dev/null &
  HELPERS+=("$!")
  mkdir -p "${pidfile%/*}"
  echo "${HELPERS[-1]}" >"$pidfile"
  capture "$REGISTRY_SH" --port "$OTHER_PORT" stop
  check_eq "stop with a stale pid file: exits 0" 0 "$RC"
  check "stop with a stale pid file: the process it names is not killed" alive "${HELPERS[-1]}"
  check "stop with a stale pid file: the registry still answers" registry_answers "127.0.0.1:$OTHER_PORT"
}

test_stop() {
  capture "$REGISTRY_SH" --port "$PORT" stop
  check_eq "stop: exits 0" 0 "$RC"
  check "stop: nothing answers on 127.0.0.1:$PORT" test -z "$(registry_answers "127.0.0.1:$PORT" && echo up)"
  check "stop: the pid file is gone" test ! -e "$ASKELADDEN_STATE/registry-$PORT/registry.pid"
  capture "$REGISTRY_SH" --port "$PORT" status
  check_eq "status when nothing answers: exits 1" 1 "$RC"
}

test_start
test_start_on_a_port_held_by_something_else
test_stop_leaves_other_registries_alone
test_stop
checks_summary registry
