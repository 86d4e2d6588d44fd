#!/usr/bin/env bash
# Usage: scripts/bench.sh [--help] [--json] [--quick] [--rounds N] [--duration S]
#
# Measure askeladden against nginx-light and a Go net/http server
# (scripts/bench/goserver, standard library only) serving the same body, on
# 127.0.0.1, with the same CPU budget, and print them side by side:
#   1-core    each server pinned to CPU 0 with one loop (one nginx worker,
#             GOMAXPROCS 1), wrk on CPU 1
#   all-cores askeladden --threads N against nginx worker_processes N and Go
#             with GOMAXPROCS N, N = CPUs
# Workloads: keep-alive with 50, 200 and 1000 connections; Connection: close
# with 200. The runs are interleaved (ours, nginx, go, ours, ...; who goes
# first rotates), every run on a freshly started server, and each figure is
# the median over the rounds: requests/s, the server's CPU time a request
# (user + system), p50 and p99 latency, errors, peak RSS (VmHWM) and idle RSS
# (VmRSS after start); for nginx its workers. And the ratios ours/nginx and
# ours/go of each: the median of the ratios within a round.
# Then two figures the machine's noise does not move:
#   instructions a request: user-space instructions (valgrind --tool=callgrind)
#                           over a fixed number of requests, one loop, log off;
#                           ours and nginx only (valgrind does not run Go
#                           binaries well)
#   memory a connection:    RSS growth with 10,000 idle keep-alive connections
#                           open, and how long a new request then takes
#
# Installs what it needs (scripts/setup.sh build bench: wrk, nginx-light,
# valgrind, golang-go) and raises the file-descriptor limit of this shell to
# its hard limit (as root, to at least 11000 when it is lower). Traffic goes
# to 127.0.0.1 only, and every run is bounded in time or in requests. Takes
# about 9 minutes (--quick: 4).
#
# Options:
#   --json        print only JSON on stdout (progress stays on stderr)
#   --quick       2 s runs and fewer callgrind requests: a smoke test
#   --rounds N    rounds of every run (default 3, at least 3 for medians)
#   --duration S  seconds per wrk run (default 5)
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"
# shellcheck source=scripts/bench/servers.sh
source "$ASKELADDEN_ROOT/scripts/bench/servers.sh"
# shellcheck source=scripts/bench/throughput.sh
source "$ASKELADDEN_ROOT/scripts/bench/throughput.sh"
# shellcheck source=scripts/bench/callgrind.sh
source "$ASKELADDEN_ROOT/scripts/bench/callgrind.sh"
# shellcheck source=scripts/bench/idle.sh
source "$ASKELADDEN_ROOT/scripts/bench/idle.sh"

ROUNDS=3
DURATION=5
JSON=0
CALLGRIND_REQUESTS=20000
IDLE_CONNECTIONS=10000
# keep-alive connection counts, then "close:N" for Connection: close
WORKLOADS=(50 200 1000 close:200)
OURS_PORT=18090
NGINX_PORT=18091
GO_PORT=18092
SERVERS=(ours nginx go)

while (($# > 0)); do
  case "$1" in
    -h | --help) print_usage; exit 0 ;;
    --json) JSON=1 ;;
    --quick) DURATION=2 CALLGRIND_REQUESTS=5000 ;;
    --rounds)
      [[ "${2:-}" =~ ^[0-9]+$ ]] || usage_error "--rounds needs a number >= 3"
      (($2 >= 3)) || usage_error "--rounds needs a number >= 3"
      ROUNDS="$2"
      shift
      ;;
    --duration)
      [[ "${2:-}" =~ ^[0-9]+$ ]] || usage_error "--duration needs 1 to 60 seconds"
      (($2 >= 1 && $2 <= 60)) || usage_error "--duration needs 1 to 60 seconds"
      DURATION="$2"
      shift
      ;;
    *) usage_error "unknown option '$1'" ;;
  esac
  shift
done

# --- preflight: nothing is changed here --------------------------------------
[[ "$(uname -s)" == Linux ]] || die "the benchmark needs Linux (taskset, /proc)"
CPUS="$(nproc)"
HZ="$(getconf CLK_TCK)"
((CPUS >= 2)) || die "the benchmark needs 2 CPUs (a server core and a wrk core); this machine has $CPUS"
cd "$ASKELADDEN_ROOT"
LOAD="$(cut -d ' ' -f 1 /proc/loadavg)"
awk -v l="$LOAD" 'BEGIN { exit !(l > 0.5) }' &&
  warn "load average $LOAD: something else is running, the req/s and latency figures will be noisy"
for port in "$OURS_PORT" "$NGINX_PORT" "$GO_PORT"; do
  port_open 127.0.0.1 "$port" && die "port $port on 127.0.0.1 is in use: stop what listens there"
done
OURS="$ASKELADDEN_ROOT/v0.1/askeladden"
TOOLS="$ASKELADDEN_ROOT/build/bench"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/askeladden-bench.XXXXXX")"
cleanup() {
  stop_servers_on_exit
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- 1. install --------------------------------------------------------------
step "1/7 installing what is missing (scripts/setup.sh build bench)"
scripts/setup.sh build bench >&2

# --- 2. build ----------------------------------------------------------------
step "2/7 building askeladden, the Go server and the bench clients"
make --no-print-directory -s v0.1/askeladden "$TOOLS/fixed_requests" "$TOOLS/idle_conns" >&2
# Standard library only, outside a module: nothing is fetched, and the build
# cache stays under build/ rather than in $HOME.
GO111MODULE=off GOFLAGS='' GOPROXY=off GOCACHE="$TOOLS/go-cache" GOPATH="$TOOLS/go-path" \
  go build -trimpath -o "$TOOLS/goserver" scripts/bench/goserver/main.go
TEXT="$(sed -n 's/^#define TEXT "\(.*\)\\n"$/\1/p' v0.1/src/handler.c)"
CONTENT_TYPE="$(sed -n 's/^#define CONTENT_TYPE "\(.*\)"$/\1/p' v0.1/src/handler.c)"
[[ -n "$TEXT" && -n "$CONTENT_TYPE" ]] || die "cannot read the body and content type from v0.1/src/handler.c"

# --- 3. file descriptors -----------------------------------------------------
step "3/7 raising the file-descriptor limit for the servers and the clients"
# The limit is per process: the server and the idle client each hold one
# descriptor a connection.
need=$((IDLE_CONNECTIONS + 1000))
if (($(ulimit -Hn) < need)); then ulimit -Hn "$need" 2>/dev/null || true; fi
ulimit -n "$(ulimit -Hn)"
(($(ulimit -n) >= need)) ||
  die "the file-descriptor limit is $(ulimit -n); $IDLE_CONNECTIONS idle connections need $need (run as root)"
info "ulimit -n is $(ulimit -n)"

# --- 4. the same reply from all ----------------------------------------------
step "4/7 checking that the three servers send the same status, body and content type"
check_same_replies "${SERVERS[@]}"

# --- 5. throughput -----------------------------------------------------------
# config name, server CPUs, server loops, wrk CPUs, wrk threads
CONFIGS=("1-core|0|1|1|1" "all-cores||$CPUS||$CPUS")
runs=$((ROUNDS * ${#CONFIGS[@]} * ${#WORKLOADS[@]} * ${#SERVERS[@]}))
step "5/7 throughput: $runs runs of ${DURATION}s, interleaved, $ROUNDS rounds"
run_throughput "$runs" >"$WORK/results"

# --- 6. instructions a request ------------------------------------------------
step "6/7 instructions a request: callgrind over $CALLGRIND_REQUESTS requests, one loop, one connection (ours and nginx)"
measure_instructions ours nginx >"$WORK/instructions"
top_functions build/bench/callgrind.ours $((1000 + CALLGRIND_REQUESTS)) >"$WORK/top.ours"

# --- 7. memory a connection ---------------------------------------------------
step "7/7 memory a connection: $IDLE_CONNECTIONS idle keep-alive connections, one loop"
for server in "${SERVERS[@]}"; do idle_run "$server"; done >"$WORK/idle"

# --- report ------------------------------------------------------------------
report=(--rounds "$ROUNDS" --duration "$DURATION" --cpus "$CPUS" --load "$LOAD"
  --callgrind-requests "$CALLGRIND_REQUESTS" --idle-connections "$IDLE_CONNECTIONS"
  --nginx "$(nginx -v 2>&1 | sed 's/.*\///')" --go "$(go env GOVERSION | sed 's/^go//')"
  --host "$(uname -r), $CPUS CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)")
((JSON)) && report+=(--json)
# lib.sh decides colour for stderr; the table goes to stdout.
[[ -n "$C_BOLD" && -t 1 ]] && report+=(--bold)
/usr/bin/python3 scripts/bench/report.py "${report[@]}" "$WORK"
