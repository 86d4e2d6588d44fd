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
SERVER_PIDS=()
cleanup() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- helpers -----------------------------------------------------------------

# run_pinned CPUS COMMAND...: COMMAND on those CPUs ("" for any); exec, so a
# background run's $! is COMMAND's PID.
run_pinned() {
  local cpus="$1"
  shift
  if [[ -n "$cpus" ]]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi
}

# nginx_conf WORKERS PORT CONNECTIONS [single]: the config, in the work
# directory. The same body and content type as ours, no access log, and no
# keep-alive request limit (nginx closes a connection after 1000 requests by
# default; evhttp never does). nginx allocates and clears its table of
# CONNECTIONS when it starts, so its RSS grows with that setting, not with the
# connections it has. "single" runs it as one process, for valgrind.
nginx_conf() {
  local workers="$1" port="$2" connections="$3" mode="${4:-}"
  local conf="$WORK/nginx-$workers-$port-$connections${mode:+-$mode}.conf"
  local body
  body="$(printf '%s' "$TEXT" | sed 's/\\/\\\\/g; s/"/\\"/g; s/\$/\\$/g')"
  {
    [[ "$mode" == single ]] && printf 'master_process off;\n'
    cat <<EOF
worker_processes $workers;
worker_rlimit_nofile $((connections + 500));
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections $connections; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-body;
  default_type "$CONTENT_TYPE";
  keepalive_requests 1000000000;
  keepalive_timeout 10s;
  server {
    listen 127.0.0.1:$port reuseport backlog=4096;
    location / { return 200 "$body\\n"; }
  }
}
EOF
  } >"$conf"
  printf '%s\n' "$conf"
}

# start_server NAME CPUS LOOPS [CONNECTIONS]: start ours, nginx (with room
# for CONNECTIONS) or go (LOOPS is its GOMAXPROCS), wait until it answers;
# sets SERVER_PID and PORT.
start_server() {
  local name="$1" cpus="$2" loops="$3" connections="${4:-4096}"
  case "$name" in
    ours)
      PORT="$OURS_PORT"
      (run_pinned "$cpus" "$OURS" --address 127.0.0.1 --port "$PORT" --threads "$loops" \
        --access-log off >"$WORK/ours.log" 2>&1) &
      ;;
    nginx)
      PORT="$NGINX_PORT"
      local conf
      conf="$(nginx_conf "$loops" "$PORT" "$connections")"
      (run_pinned "$cpus" nginx -c "$conf" -p "$WORK" -g 'daemon off;' >"$WORK/nginx.log" 2>&1) &
      ;;
    go)
      PORT="$GO_PORT"
      (run_pinned "$cpus" "$TOOLS/goserver" -address 127.0.0.1 -port "$PORT" -procs "$loops" \
        >"$WORK/go.log" 2>&1) &
      ;;
  esac
  SERVER_PID=$!
  SERVER_PIDS=("$SERVER_PID")
  wait_for_port 127.0.0.1 "$PORT" 10
  if [[ "$name" == nginx ]]; then
    wait_until 5 "" nginx_workers_up "$loops" || die "nginx did not start $loops workers"
  fi
}

nginx_workers_up() { (($(pgrep -c -P "$SERVER_PID" || true) >= $1)); }

stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PIDS=()
}

# serving_pids: ours or go, or nginx's workers.
serving_pids() {
  pgrep -P "$SERVER_PID" || printf '%s\n' "$SERVER_PID"
}

# server_cpu_ticks: user and system CPU time the serving processes have used,
# all their threads, in clock ticks.
server_cpu_ticks() {
  local pid total=0 ticks
  for pid in $(serving_pids); do
    ticks="$(cat "/proc/$pid/task/"*/stat 2>/dev/null | awk '{ t += $14 + $15 } END { print t + 0 }')"
    total=$((total + ticks))
  done
  printf '%s\n' "$total"
}

# server_kb FIELD: a /proc status field (VmRSS, VmHWM) in kB of the process
# that serves: ours or go, or nginx's workers added up (its master only supervises,
# and adding it would count the shared libraries twice).
server_kb() {
  local field="$1" pid total=0 kb
  for pid in $(serving_pids); do
    kb="$(awk -v f="$field:" '$1 == f { print $2 }' "/proc/$pid/status" 2>/dev/null || true)"
    total=$((total + ${kb:-0}))
  done
  printf '%s\n' "$total"
}

# wrk_run CPUS THREADS WORKLOAD: one wrk run against PORT; prints
# "requests/s p50_us p99_us errors requests".
wrk_run() {
  local cpus="$1" threads="$2" workload="$3" conns extra=()
  conns="${workload#close:}"
  [[ "$workload" == close:* ]] && extra=(-H 'Connection: close')
  ((threads <= conns)) || threads="$conns"
  local out
  out="$( (run_pinned "$cpus" wrk -t "$threads" -c "$conns" -d "${DURATION}s" --timeout 2s \
    -s scripts/bench/report.lua "${extra[@]}" "http://127.0.0.1:$PORT/") 2>&1)" ||
    die "wrk failed: $(tail -n 1 <<<"$out")"
  awk '$1 == "RESULT" { printf "%.0f %d %d %d %d\n", $2 / ($3 / 1e6), $4, $5, $6, $2 }' <<<"$out"
}

# An exited child stays a zombie until it is waited for.
process_gone() { [[ ! -e "/proc/$1" || "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" == Z ]]; }

# stop_patiently: stop_server for a server under valgrind. nginx in single
# process mode can miss a signal that lands between its check and epoll_wait,
# a window valgrind makes wide: repeat the signal until it exits.
stop_patiently() {
  local i
  for ((i = 0; i < 30; i++)); do
    kill -TERM "$SERVER_PID" 2>/dev/null || break
    wait_until 2 "" process_gone "$SERVER_PID" && break
  done
  stop_server
}

# callgrind_instructions NAME REQUESTS: total instructions of a server run
# under callgrind that answered REQUESTS requests, one after the other on one
# connection: with more, how requests batch into loop iterations depends on
# timing, and the count moves by a few percent.
callgrind_instructions() {
  local name="$1" requests="$2" out="$WORK/callgrind.$1.$2" cmd port
  if [[ "$name" == ours ]]; then
    port="$OURS_PORT"
    cmd=("$OURS" --address 127.0.0.1 --port "$port" --threads 1 --access-log off)
  else
    port="$NGINX_PORT"
    cmd=(nginx -c "$(nginx_conf 1 "$port" 1024 single)" -p "$WORK" -g 'daemon off;')
  fi
  valgrind --tool=callgrind --callgrind-out-file="$out" "${cmd[@]}" >"$WORK/valgrind.log" 2>&1 &
  SERVER_PID=$!
  SERVER_PIDS=("$SERVER_PID")
  wait_for_port 127.0.0.1 "$port" 60
  "$TOOLS/fixed_requests" 127.0.0.1 "$port" 1 "$requests" || die "callgrind run of $name failed"
  stop_patiently
  awk '/^totals:/ { print $2 }' "$out"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# --- 1. install --------------------------------------------------------------
step "1/7 installing what is missing (scripts/setup.sh build bench)"
scripts/setup.sh build bench >&2

# --- 2. build ----------------------------------------------------------------
step "2/7 building askeladden, the Go server and the bench clients"
make --no-print-directory -s v0.1/askeladden >&2
mkdir -p "$TOOLS"
for tool in fixed_requests idle_conns; do
  "${CC:-cc}" -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O2 -o "$TOOLS/$tool" \
    "scripts/bench/$tool.c" scripts/bench/http_client.c
done
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

# --- 4. the same reply from both ---------------------------------------------
step "4/7 checking that the three servers send the same status, body and content type"
# Prints "status content-type".
reply_of() {
  curl -sS --max-time 3 -o "$WORK/$1.body" -w '%{http_code} %{content_type}\n' "http://127.0.0.1:$PORT/"
}
declare -A REPLY_HEAD
for server in "${SERVERS[@]}"; do
  start_server "$server" 0 1
  REPLY_HEAD[$server]="$(reply_of "$server")"
  stop_server
done
for server in nginx go; do
  cmp -s "$WORK/ours.body" "$WORK/$server.body" || die "ours and $server send different bodies"
  [[ "${REPLY_HEAD[ours]}" == "${REPLY_HEAD[$server]}" ]] ||
    die "status or content type differ: ours '${REPLY_HEAD[ours]}', $server '${REPLY_HEAD[$server]}'"
done
info "$(wc -c <"$WORK/ours.body") bytes, ${REPLY_HEAD[ours]}"

# --- 5. throughput -----------------------------------------------------------
# config name, server CPUs, server loops, wrk CPUs, wrk threads
CONFIGS=("1-core|0|1|1|1" "all-cores||$CPUS||$CPUS")
runs=$((ROUNDS * ${#CONFIGS[@]} * ${#WORKLOADS[@]} * ${#SERVERS[@]}))
step "5/7 throughput: $runs runs of ${DURATION}s, interleaved, $ROUNDS rounds"
RESULTS="$WORK/results"
: >"$RESULTS"
run=0
for ((round = 1; round <= ROUNDS; round++)); do
  for config in "${CONFIGS[@]}"; do
    IFS='|' read -r cname scpus loops wcpus wthreads <<<"$config"
    for workload in "${WORKLOADS[@]}"; do
      # Who goes first rotates, so that none always meets a warmer machine.
      first=$(((round - 1) % ${#SERVERS[@]}))
      order=("${SERVERS[@]:first}" "${SERVERS[@]:0:first}")
      for server in "${order[@]}"; do
        run=$((run + 1))
        start_server "$server" "$scpus" "$loops"
        idle_kb="$(server_kb VmRSS)"
        ticks="$(server_cpu_ticks)"
        read -r rps p50 p99 errors requests < <(wrk_run "$wcpus" "$wthreads" "$workload")
        ticks=$(($(server_cpu_ticks) - ticks))
        cpu_us="$(awk -v t="$ticks" -v hz="$HZ" -v n="$requests" 'BEGIN { printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }')"
        peak_kb="$(server_kb VmHWM)"
        stop_server
        printf '%s %s %s %s %s %s %s %s %s %s %s\n' "$cname" "$workload" "$server" "$round" "$rps" \
          "$cpu_us" "$p50" "$p99" "$errors" "$peak_kb" "$idle_kb" >>"$RESULTS"
        info "[$run/$runs] round $round $cname $workload $server: $rps req/s, $cpu_us us CPU a request, p99 $p99 us, $errors errors"
      done
    done
  done
done

# --- 6. instructions a request ------------------------------------------------
step "6/7 instructions a request: callgrind over $CALLGRIND_REQUESTS requests, one loop, one connection (ours and nginx)"
declare -A INSTRUCTIONS
for server in ours nginx; do
  # The difference of two runs leaves out start, connect and shutdown.
  base="$(callgrind_instructions "$server" 1000)"
  full="$(callgrind_instructions "$server" $((1000 + CALLGRIND_REQUESTS)))"
  INSTRUCTIONS[$server]=$(((full - base) / CALLGRIND_REQUESTS))
  info "$server: ${INSTRUCTIONS[$server]} instructions a request"
done
mkdir -p build/bench
cp "$WORK/callgrind.ours.$((1000 + CALLGRIND_REQUESTS))" build/bench/callgrind.ours
cp "$WORK/callgrind.nginx.$((1000 + CALLGRIND_REQUESTS))" build/bench/callgrind.nginx
# The functions that cost the most, in instructions a request.
# Lines of "instructions share function object".
top_functions() {
  callgrind_annotate --threshold=100 "build/bench/callgrind.$1" 2>/dev/null |
    awk -v n=$((1000 + CALLGRIND_REQUESTS)) '
      /file:function/ { on = 1; getline; next }
      on && /^ *$/ { on = 0 }
      on && count < 12 {
        ir = $1; gsub(",", "", ir)
        match($0, /[0-9.]+%/); share = substr($0, RSTART, RLENGTH)
        rest = substr($0, index($0, ")") + 1); obj = ""
        if (match(rest, /\[[^]]*\]/)) { obj = substr(rest, RSTART + 1, RLENGTH - 2); sub(/.*\//, "", obj) }
        split(rest, w, " "); fn = w[1]; sub(/^.*:/, "", fn)
        printf "%d %s %s %s\n", ir / n, share, fn, obj; count++
      }'
}
top_functions ours >"$WORK/top.ours"

# --- 7. memory a connection ---------------------------------------------------
step "7/7 memory a connection: $IDLE_CONNECTIONS idle keep-alive connections, one loop"
declare -A IDLE_BEFORE IDLE_WITH REPLY_MS
for server in "${SERVERS[@]}"; do
  start_server "$server" 0 1 $((IDLE_CONNECTIONS + 500))
  IDLE_BEFORE[$server]="$(server_kb VmRSS)"
  "$TOOLS/idle_conns" 127.0.0.1 "$PORT" "$IDLE_CONNECTIONS" 8 >"$WORK/idle.out" 2>&1 &
  idle_pid=$!
  wait_until 30 "" grep -q '^ready' "$WORK/idle.out" ||
    die "$server: $IDLE_CONNECTIONS idle connections did not open: $(tail -n 1 "$WORK/idle.out")"
  IDLE_WITH[$server]="$(server_kb VmRSS)"
  seconds="$(curl -sS --max-time 5 -o /dev/null -w '%{time_total}' "http://127.0.0.1:$PORT/")" ||
    die "$server: no reply with $IDLE_CONNECTIONS idle connections open"
  REPLY_MS[$server]="$(awk -v s="$seconds" 'BEGIN { printf "%.2f", s * 1000 }')"
  kill "$idle_pid" 2>/dev/null || true
  wait "$idle_pid" 2>/dev/null || true
  stop_server
  info "$server: $(((IDLE_WITH[$server] - IDLE_BEFORE[$server]) * 1024 / IDLE_CONNECTIONS)) bytes a connection, a new request answered in ${REPLY_MS[$server]} ms"
done

# --- report ------------------------------------------------------------------
# Per config and workload, in the order they ran: the medians of ours, nginx
# and go, and the medians of the ratios ours/nginx and ours/go of the same
# round ("-" where the other's figure is 0). Lines of "config workload row
# rps cpu_us p50 p99 errors peak_kb idle_kb", row being ours, nginx, go,
# ratio (ours/nginx) or ratio_go (ours/go).
summarize() {
  awk '
    function median(list,    n, v, i, j, t) {
      n = split(list, v, " ")
      if (n == 0) return "-"
      for (i = 2; i <= n; i++)
        for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
      return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    !(($1 " " $2) in seen) { seen[$1 " " $2] = 1; keys[++nkeys] = $1 " " $2 }
    { rounds[$4] = 1; for (c = 5; c <= 11; c++) v[$1 " " $2, $3, $4, c] = $c }
    END {
      for (k = 1; k <= nkeys; k++) {
        key = keys[k]
        for (s = 1; s <= 5; s++) {
          row = s == 1 ? "ours" : s == 2 ? "nginx" : s == 3 ? "go" : s == 4 ? "ratio" : "ratio_go"
          other = row == "ratio_go" ? "go" : "nginx"
          line = key " " row
          for (c = 5; c <= 11; c++) {
            list = ""
            for (r in rounds) {
              if (row !~ /^ratio/) {
                if ((key SUBSEP row SUBSEP r SUBSEP c) in v) list = list " " v[key, row, r, c]
              } else if (v[key, other, r, c] + 0 > 0) {
                list = list " " v[key, "ours", r, c] / v[key, other, r, c]
              }
            }
            m = median(list)
            fmt = row ~ /^ratio/ ? "%.2f" : c == 6 ? "%.1f" : "%.0f"
            line = line " " (m == "-" ? m : sprintf(fmt, m))
          }
          print line
        }
      }
    }' "$RESULTS"
}
summarize >"$WORK/summary"
go_version() { go env GOVERSION | sed 's/^go//'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), (b > 0 ? a / b : 0) }'; }

print_table() {
  # lib.sh decides colour for stderr; this goes to stdout.
  local bold="$C_BOLD" reset="$C_RESET"
  [[ -t 1 ]] || bold="" reset=""
  local date host
  date="$(date -u +%Y-%m-%d)"
  host="$(uname -r), $CPUS CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  printf '%sAskeladden vs nginx %s and Go %s net/http, %s (%s)%s\n' "$bold" "$(nginx -v 2>&1 | sed 's/.*\///')" \
    "$(go_version)" "$date" "$host" "$reset"
  printf 'medians of %d rounds of %d s; CPU us: the server'"'"'s CPU time a request; latency in\n' "$ROUNDS" "$DURATION"
  printf 'microseconds; nginx RSS and CPU: its workers; '
  printf 'ours/nginx, ours/go: the median of the ratios within a round.\nLoad average at start: %s\n\n' "$LOAD"
  printf '%s%-9s %-14s %-10s %8s %7s %8s %8s %6s %8s %8s%s\n' "$bold" config workload server \
    req/s 'CPU us' p50 p99 errors 'peak kB' 'idle kB' "$reset"
  local cname workload row rest last=""
  while read -r cname workload row rest; do
    local wl="keepalive/$workload"
    [[ "$workload" == close:* ]] && wl="close/${workload#close:}"
    if [[ "$cname $workload" == "$last" ]]; then cname="" wl=""; else last="$cname $workload"; fi
    [[ "$row" == ratio ]] && row=ours/nginx
    [[ "$row" == ratio_go ]] && row=ours/go
    # shellcheck disable=SC2086 # rest is seven numbers
    printf '%-9s %-14s %-10s %8s %7s %8s %8s %6s %8s %8s\n' "$cname" "$wl" "$row" $rest
  done <"$WORK/summary"
  printf '\n%sinstructions a request (callgrind, one loop, %d requests)%s\n' "$bold" "$CALLGRIND_REQUESTS" "$reset"
  printf 'ours %d, nginx %d, ratio %s\n' "${INSTRUCTIONS[ours]}" "${INSTRUCTIONS[nginx]}" \
    "$(ratio "${INSTRUCTIONS[ours]}" "${INSTRUCTIONS[nginx]}")"
  printf '\n%smemory with %d idle keep-alive connections (one loop; nginx clears its whole\n' "$bold" "$IDLE_CONNECTIONS"
  printf 'connection table at start, so its RSS is paid before the first connection)%s\n' "$reset"
  for server in "${SERVERS[@]}"; do
    printf '%-6s RSS %6d kB -> %6d kB, %5d bytes a connection; a new request answered in %s ms\n' \
      "$server" "${IDLE_BEFORE[$server]}" "${IDLE_WITH[$server]}" \
      $(((IDLE_WITH[$server] - IDLE_BEFORE[$server]) * 1024 / IDLE_CONNECTIONS)) "${REPLY_MS[$server]}"
  done
  printf '\n%stop functions, ours (instructions a request, share of the total; build/bench/callgrind.ours)%s\n' "$bold" "$reset"
  awk '{ printf "%7d %8s  %s %s\n", $1, $2, $3, $4 }' "$WORK/top.ours"
}

print_json() {
  jq -n --rawfile summary "$WORK/summary" --rawfile top "$WORK/top.ours" \
    --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --argjson cpus "$CPUS" --argjson load "$LOAD" \
    --argjson rounds "$ROUNDS" --argjson duration "$DURATION" \
    --arg nginx "$(nginx -v 2>&1 | sed 's/.*\///')" --arg go "$(go_version)" \
    --argjson ours_ipr "${INSTRUCTIONS[ours]}" --argjson nginx_ipr "${INSTRUCTIONS[nginx]}" \
    --argjson cg_requests "$CALLGRIND_REQUESTS" --argjson idle "$IDLE_CONNECTIONS" \
    --argjson ob "${IDLE_BEFORE[ours]}" --argjson ow "${IDLE_WITH[ours]}" --argjson oms "${REPLY_MS[ours]}" \
    --argjson nb "${IDLE_BEFORE[nginx]}" --argjson nw "${IDLE_WITH[nginx]}" --argjson nms "${REPLY_MS[nginx]}" \
    --argjson gb "${IDLE_BEFORE[go]}" --argjson gw "${IDLE_WITH[go]}" --argjson gms "${REPLY_MS[go]}" '
    def num: if . == "-" then null else tonumber end;
    def figures: {requests_per_s: (.[3] | num), cpu_us_per_request: (.[4] | num),
      p50_us: (.[5] | num), p99_us: (.[6] | num), errors: (.[7] | num),
      peak_rss_kb: (.[8] | num), idle_rss_kb: (.[9] | num)};
    {
      date: $date, cpus: $cpus, load_average: $load, rounds: $rounds, duration_s: $duration, nginx: $nginx,
      go: $go,
      throughput: ($summary | split("\n") | map(select(length > 0) | split(" "))
        | group_by(.[0] + " " + .[1]) | sort_by(.[0][0] != "1-core", (.[0][1] | sub("^close:"; "1") | num))
        | map({
            config: .[0][0],
            workload: (if .[0][1] | startswith("close:") then "close" else "keepalive" end),
            connections: (.[0][1] | sub("^close:"; "") | num)
          } + (map({(.[2]): figures}) | add))),
      instructions_per_request: {requests: $cg_requests, ours: $ours_ipr, nginx: $nginx_ipr,
        ratio: ($ours_ipr / $nginx_ipr)},
      idle_connections: {count: $idle,
        ours: {rss_before_kb: $ob, rss_with_kb: $ow, bytes_per_connection: ((($ow - $ob) * 1024 / $idle) | floor), reply_ms: $oms},
        nginx: {rss_before_kb: $nb, rss_with_kb: $nw, bytes_per_connection: ((($nw - $nb) * 1024 / $idle) | floor), reply_ms: $nms},
        go: {rss_before_kb: $gb, rss_with_kb: $gw, bytes_per_connection: ((($gw - $gb) * 1024 / $idle) | floor), reply_ms: $gms}},
      top_functions_ours: [$top | split("\n")[] | select(length > 0) | split(" ")
        | {instructions_per_request: (.[0] | num), share: .[1], function: .[2], object: (.[3] // "")}]
    }'
}

if ((JSON)); then print_json; else print_table; fi
