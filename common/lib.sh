# Shared shell helpers for the scripts in scripts/ and the test drivers: logging,
# failing with one clear line, waiting for things, and where state lives.
# Source it; it defines functions and variables and runs nothing else.
# shellcheck shell=bash
# The variables are for the scripts that source this file.
# shellcheck disable=SC2034

ASKELADDEN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Long-lived state that is not part of the repository: dockerd's log, the
# local registry's data, the compressed-size cache.
ASKELADDEN_STATE="${ASKELADDEN_STATE:-${XDG_STATE_HOME:-$HOME/.local/state}/askeladden}"
SCRIPT_NAME="$(basename "$0")"

# colour_on FD: whether what goes to file descriptor FD may be coloured. Colour
# only for people: on a terminal, and never when NO_COLOR is set. Decided here
# only; compare-sizes.sh hands its answers to its Python program.
colour_on() { [[ -t "$1" && -z "${NO_COLOR:-}" && "${TERM:-dumb}" != dumb ]]; }

# colours_for FD: set the C_* colours for what goes to FD next.
colours_for() {
  if colour_on "$1"; then
    C_BOLD=$'\e[1m' C_DIM=$'\e[2m' C_RED=$'\e[31m' C_GREEN=$'\e[32m' C_YELLOW=$'\e[33m' C_RESET=$'\e[0m'
  else
    C_BOLD='' C_DIM='' C_RED='' C_GREEN='' C_YELLOW='' C_RESET=''
  fi
}

# The messages below go to stderr, so its answer colours them.
colours_for 2

# Progress and diagnostics go to stderr so that stdout stays clean for data (--json).
step()  { printf '%s==>%s %s\n' "$C_BOLD" "$C_RESET" "$*" >&2; }
info()  { printf '    %s\n' "$*" >&2; }
ok()    { printf '%sok%s  %s\n' "$C_GREEN" "$C_RESET" "$*" >&2; }
warn()  { printf '%s%s: warning:%s %s\n' "$C_YELLOW" "$SCRIPT_NAME" "$C_RESET" "$*" >&2; }
die()   { printf '%s%s: error:%s %s\n' "$C_RED" "$SCRIPT_NAME" "$C_RESET" "$*" >&2; exit 1; }
# Bad command-line usage: one line, a pointer to --help, exit 2.
usage_error() {
  printf '%s: %s (see %s --help)\n' "$SCRIPT_NAME" "$*" "$SCRIPT_NAME" >&2
  exit 2
}

# A loud, unmistakable line for a test or step that could not run here.
skip_loudly() {
  printf '%s*** SKIPPED: %s ***%s\n' "$C_YELLOW" "$*" "$C_RESET" >&2
}

# For a script whose only argument is --help.
accept_only_help() {
  case "${1:-}" in
    -h | --help) print_usage; exit 0 ;;
    "") ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
}

# For a script whose only option is --help, among other arguments.
accept_help_among_arguments() {
  local arg
  for arg in "$@"; do
    case "$arg" in
      -h | --help) print_usage; exit 0 ;;
      -*) usage_error "unknown option '$arg'" ;;
    esac
  done
}

have() { command -v "$1" >/dev/null 2>&1; }

# host_apt_sources: the host's apt sources file, for images made from the
# mirrors it already reaches: $APT_SOURCES when set, else the first of
# Debian's usual files with deb lines; nothing when there is none.
host_apt_sources() {
  if [[ -n "${APT_SOURCES:-}" ]]; then
    printf '%s\n' "$APT_SOURCES"
    return
  fi
  local f
  for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
    if [[ -r "$f" ]] && grep -qE '^[[:space:]]*(deb[[:space:]]|Types:)' "$f"; then
      printf '%s\n' "$f"
      return
    fi
  done
}

require_cmd() {
  local cmd
  for cmd in "$@"; do
    have "$cmd" || die "'$cmd' is not installed (run: make setup)"
  done
}

# Print the usage block at the top of the calling script: the comment lines
# after the shebang, up to the first line that is not a comment.
print_usage() {
  sed -n '2,/^[^#]/{/^#/!q;s/^# \{0,1\}//;p}' "$0"
}

# wait_until SECONDS DESCRIPTION COMMAND...: retry COMMAND every 0.2 s.
wait_until() {
  local seconds="$1" what="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
  [[ -n "$what" ]] && info "$what"
  return 0
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for_port() {
  local host="$1" port="$2" seconds="${3:-10}"
  wait_until "$seconds" "" port_open "$host" "$port" ||
    die "nothing answered on $host:$port within ${seconds}s"
}

# A hung engine must not hang the caller: docker info gets 10 s. Every
# timeout here keeps its command in the caller's process group
# (--foreground), so that a Ctrl-C typed meanwhile reaches it.
docker_ready() { timeout --foreground 10 docker info >/dev/null 2>&1; }

require_docker() {
  have docker || die "docker is not installed (install it: scripts/setup.sh docker)"
  docker_ready ||
    die "no Docker engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock} (start one: scripts/setup.sh docker)"
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# registry_answers HOST:PORT: a Docker registry (v2 API) answers there over
# plain HTTP. It says so with a header, with or without auth (200 or 401).
registry_answers() {
  curl -sS --max-time 3 -o /dev/null -D - "http://$1/v2/" 2>/dev/null |
    grep -qi '^docker-distribution-api-version: *registry/2'
}

# find_kubectl: which kubectl talks to which cluster, decided here for every
# script and test. Sets KUBECTL_CMD (the command, an array) and KUBECTL_FROM
# (what chose it), exports KUBECONFIG for scripts/cluster.sh's cluster, and
# returns 0 when that cluster answers. The first that applies:
#   KUBECTL     $KUBECTL, as given (with $KUBECONFIG when set)
#   KUBECONFIG  kubectl, when $KUBECONFIG is set
#   microk8s    microk8s kubectl, when microk8s is installed and answers
#   kubectl     kubectl with ~/.kube/config, when that cluster answers
#   cluster.sh  kubectl with scripts/cluster.sh's kubeconfig, when it runs
#   none        microk8s kubectl when installed, else kubectl: nothing answers
find_kubectl() {
  local kubeconfig
  if [[ -n "${KUBECTL:-}" ]]; then
    read -r -a KUBECTL_CMD <<<"$KUBECTL"
    KUBECTL_FROM=KUBECTL
  elif [[ -n "${KUBECONFIG:-}" ]]; then
    KUBECTL_CMD=(kubectl) KUBECTL_FROM=KUBECONFIG
  elif have microk8s && kubectl_answers microk8s kubectl; then
    KUBECTL_CMD=(microk8s kubectl) KUBECTL_FROM=microk8s
  elif [[ -f "$HOME/.kube/config" ]] && kubectl_answers kubectl; then
    KUBECTL_CMD=(kubectl) KUBECTL_FROM=kubectl
  elif kubeconfig="$("$ASKELADDEN_ROOT/scripts/cluster.sh" kubeconfig 2>/dev/null)"; then
    export KUBECONFIG="$kubeconfig"
    KUBECTL_CMD=(kubectl) KUBECTL_FROM=cluster.sh
  else
    KUBECTL_CMD=(kubectl) KUBECTL_FROM=none
    if have microk8s; then KUBECTL_CMD=(microk8s kubectl); fi
    return 1
  fi
  kubectl_answers "${KUBECTL_CMD[@]}"
}
# warn_kubectl_skew: when a cluster answers find_kubectl's kubectl, and that
# kubectl is more than one minor version from the cluster (what kubectl
# supports), one warning line naming both and where a matching one comes
# from. Quiet when no cluster answers, or the versions cannot be read.
warn_kubectl_skew() {
  find_kubectl 2>/dev/null || return 0
  local minors client server
  minors="$(timeout --foreground 20 "${KUBECTL_CMD[@]}" version -o json --request-timeout=5s 2>/dev/null |
    jq -r '[.clientVersion.minor, .serverVersion.minor] | map(tostring | gsub("[^0-9]"; "")) | join(" ")')" ||
    return 0
  read -r client server <<<"$minors"
  [[ "$client" =~ ^[0-9]+$ && "$server" =~ ^[0-9]+$ ]] || return 0
  if ((client - server > 1 || server - client > 1)); then
    warn "${KUBECTL_CMD[*]} is kubectl 1.$client and the cluster is 1.$server: more than one minor" \
      "version apart, which kubectl does not support; use the cluster's own (microk8s kubectl, or" \
      "for scripts/cluster.sh's 1.20 Debian 12's kubernetes-client, or KUBECTL=its kubectl)"
  fi
}

# kubectl_answers CMD...: a cluster answers to the kubectl command CMD, within
# seconds (a hung API server must not hang the caller).
kubectl_answers() {
  have "$1" && timeout --foreground 20 "$@" version --request-timeout=5s >/dev/null 2>&1
}

# hold_lock NAME WAIT: one run at a time. Takes the lock
# $ASKELADDEN_STATE/locks/NAME.lock (flock on file descriptor 9, held until
# this process, and every child that keeps the descriptor, exits). When
# another run holds it: one line naming it (pid and command), then wait for
# it (WAIT 1) or exit 1 (WAIT 0). A process meant to outlive the caller must
# be started with the descriptor closed (bash -c 'exec 9>&- && exec CMD').
hold_lock() {
  local name="$1" wait="$2" file pid holder
  file="$(lock_file "$name")"
  mkdir -p "${file%/*}"
  exec 9>>"$file"
  if ! flock -n 9; then
    pid="$(cat "$file" 2>/dev/null)" || pid=''
    holder=''
    [[ -z "$pid" ]] || holder="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || holder=''
    holder="pid ${pid:-unknown}: ${holder% }"
    ((wait)) || die "another $name run holds the lock ($holder); not waiting (--no-wait)"
    info "waiting for another $name run, which holds the lock ($holder)"
    flock 9
  fi
  printf '%s\n' "$$" >"$file"
}
lock_file() { printf '%s\n' "$ASKELADDEN_STATE/locks/$1.lock"; }
# lock_held NAME: some process holds the lock NAME now.
lock_held() { [[ -e "$(lock_file "$1")" ]] && ! flock -n "$(lock_file "$1")" true; }

# fill_pipe FIFO: open FIFO for reading and writing on descriptor 8 and fill
# it, so that a process writing to it blocks until descriptor 8 is read: a
# test holds a script still at its next line of output, without a sleep.
fill_pipe() {
  mkfifo "$1"
  exec 8<>"$1"
  dd if=/dev/zero of="$1" bs=4096 oflag=nonblock 2>/dev/null || true
}

# human_bytes N...: each N bytes in decimal units, as docker counts them (1 MB =
# 10^6 bytes) with one decimal, one a line. The format is defined once, in
# compare-sizes' scripts/compare_sizes/units.py, which its reports use.
human_bytes() {
  PYTHONPATH="$ASKELADDEN_ROOT/scripts" /usr/bin/python3 -m compare_sizes.units "$@"
}

# start_daemon LOG COMMAND...: COMMAND in the background, in a session of its
# own, its output appended to LOG, reading nothing, and holding none of this
# shell's open files but the standard three: a lock file a caller holds
# (flock FILE scripts/...) must not stay locked for the daemon's whole life.
# Its pid is in $! afterwards.
start_daemon() {
  local log="$1" fd
  shift
  local inherited=()
  for fd in /proc/"$BASHPID"/fd/*; do
    fd="${fd##*/}"
    ((fd > 2 && fd != 255)) && inherited+=("$fd")
  done
  (
    for fd in "${inherited[@]}"; do exec {fd}>&-; done 2>/dev/null
    exec setsid nohup "$@" >>"$log" 2>&1 </dev/null
  ) &
}

# run_logged LOG WHAT COMMAND...: run COMMAND with its output in LOG, printing
# one progress line (elapsed time and the log's last line) every 30 s, so a
# long step shows it is alive without flooding the terminal. While it runs,
# RUN_LOGGED_PID is COMMAND's pid, for a trap that must stop it: a command
# run in the background ignores the terminal's Ctrl-C.
RUN_LOGGED_PID=''
run_logged() {
  local log="$1" what="$2"
  shift 2
  local started=$SECONDS pid rc=0
  "$@" >"$log" 2>&1 &
  pid=$!
  RUN_LOGGED_PID=$pid
  while kill -0 "$pid" 2>/dev/null; do
    local i
    for ((i = 0; i < 150; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null &&
      info "$what: $((SECONDS - started)) s, $(tail -n 1 "$log" | cut -c 1-100)"
  done
  wait "$pid" || rc=$?
  RUN_LOGGED_PID=''
  return "$rc"
}

# Test drivers: one line per check, counted in PASSED, FAILED and SKIPPED;
# checks_summary prints the closing line "NAME: N passed, N failed" that
# tests/run.sh reads. With ASKELADDEN_TEST_LOGS set to a directory (tests/run.sh
# sets it per stage), every check also goes to DIR/<driver>.tap, in TAP 13, for
# a CI system to show.
PASSED=0 FAILED=0 SKIPPED=0 TAP_STARTED=0

# tap_line LINE...: append to the driver's TAP file, started afresh by the
# first line of this run.
tap_line() {
  [[ -n "${ASKELADDEN_TEST_LOGS:-}" ]] || return 0
  local tap="$ASKELADDEN_TEST_LOGS/${SCRIPT_NAME%.sh}.tap"
  if ((!TAP_STARTED)); then
    mkdir -p "$ASKELADDEN_TEST_LOGS"
    printf 'TAP version 13\n' >"$tap"
    TAP_STARTED=1
  fi
  printf '%s\n' "$@" >>"$tap"
}

# A check's name in TAP: one line, and a # in it is not a directive.
tap_text() { local t="${1//$'\n'/ }"; printf '%s' "${t//#/\\#}"; }

check_pass() {
  printf 'ok    %s\n' "$1"
  PASSED=$((PASSED + 1))
  tap_line "ok $((PASSED + FAILED + SKIPPED)) - $(tap_text "$1")"
}

# check_fail NAME [DETAIL...]: the failed check, and on the next line what
# was seen and where the check was asked.
check_fail() {
  local name="$1" up=1 detail=""
  shift
  [[ "${FUNCNAME[1]}" == check || "${FUNCNAME[1]}" == check_eq ]] && up=2
  printf 'FAIL  %s\n' "$name"
  (($# == 0)) || detail="$*  (${BASH_SOURCE[up]##*/}:${BASH_LINENO[up - 1]})"
  [[ -z "$detail" ]] || printf '      %s\n' "$detail"
  FAILED=$((FAILED + 1))
  tap_line "not ok $((PASSED + FAILED + SKIPPED)) - $(tap_text "$name")" ${detail:+"# ${detail//$'\n'/ }"}
}

# check NAME COMMAND...: passes when COMMAND exits 0.
check() {
  local name="$1"
  shift
  if "$@" >/dev/null 2>&1; then check_pass "$name"; else check_fail "$name" "failed: $*"; fi
}

# finish_two_runs FIRST SECOND: the end of a two-runs-at-once test, whose first
# run is held by a full pipe on file descriptor 8 (its stderr): drain the pipe
# so that it goes on, wait for both, and close it. Sets RC_FIRST, RC_SECOND.
finish_two_runs() {
  local drain
  cat <&8 >/dev/null &
  drain=$!
  RC_FIRST=0 RC_SECOND=0
  wait "$1" || RC_FIRST=$?
  wait "$2" || RC_SECOND=$?
  kill "$drain" 2>/dev/null || true
  exec 8>&-
}

# check_none NAME COMMAND...: passes when the probe COMMAND runs (exit 0) and
# prints nothing; a probe that fails proves nothing, and fails the check.
check_none() {
  local name="$1" out rc=0
  shift
  out="$("$@" 2>&1)" || rc=$?
  if ((rc != 0)); then check_fail "$name" "the probe failed (exit $rc): $(head -n 2 <<<"$out" | tr '\n' ' ')"
  elif [[ -n "$out" ]]; then check_fail "$name" "found: $(head -n 3 <<<"$out" | tr '\n' ' ')"
  else check_pass "$name"; fi
}

# check_eq NAME EXPECTED ACTUAL: passes when the two strings are equal.
check_eq() {
  if [[ "$2" == "$3" ]]; then
    check_pass "$1"
  else
    check_fail "$1" "expected $(printf '%q' "$2"), got $(printf '%q' "$3")"
  fi
}

# check_skip NAME WHY: a check that could not run here, said loudly.
check_skip() {
  skip_loudly "$1: $2"
  printf 'skip  %s: %s\n' "$1" "$2"
  SKIPPED=$((SKIPPED + 1))
  tap_line "ok $((PASSED + FAILED + SKIPPED)) - $(tap_text "$1") # SKIP ${2//$'\n'/ }"
}

checks_summary() {
  if ((SKIPPED > 0)); then
    printf '%s: %d passed, %d failed, %d skipped\n' "$1" "$PASSED" "$FAILED" "$SKIPPED"
  else
    printf '%s: %d passed, %d failed\n' "$1" "$PASSED" "$FAILED"
  fi
  tap_line "1..$((PASSED + FAILED + SKIPPED))"
  ((FAILED == 0))
}

# capture COMMAND...: run it with its stdout in $CAPTURED/out and its stderr in
# $CAPTURED/err (CAPTURED: a directory the test made), and set RC and ELAPSED
# (seconds taken).
capture() {
  local start="$SECONDS"
  set +e
  "$@" >"$CAPTURED/out" 2>"$CAPTURED/err"
  RC=$?
  set -e
  ELAPSED=$((SECONDS - start))
}

# After capture: whether its stderr has the text $1, and how many lines it has.
said() { grep -qF -- "$1" "$CAPTURED/err"; }
err_lines() { wc -l <"$CAPTURED/err" | tr -d ' '; }

# A port nothing listens on, below the kernel's ephemeral range: a port in
# that range can be taken by any outgoing connection between check and use.
free_port() {
  local p low
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  for p in $(shuf -i 20000-$((low - 1)) -n 50); do
    port_open 127.0.0.1 "$p" || { echo "$p"; return 0; }
  done
  die "no free port found below $low"
}
