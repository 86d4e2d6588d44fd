# bench servers: start and stop ours, nginx and the Go server one at a time,
# and read what the serving processes use from /proc. Sourced by scripts/bench.sh.
# shellcheck shell=bash
# scripts/bench.sh sets OURS, TOOLS, WORK, the ports, TEXT and CONTENT_TYPE.
# shellcheck disable=SC2154

# The running server: its PID (nginx: the master), its port, and what the exit
# trap stops.
SERVER_PID=""
PORT=""
SERVER_PIDS=()

# track_server PID: the server just started in the background.
track_server() {
  SERVER_PID="$1"
  SERVER_PIDS=("$1")
}

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
  track_server $!
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

# stop_servers_on_exit: for the exit trap, whatever is still running.
stop_servers_on_exit() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
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

# check_same_replies SERVER...: each one started alone answers GET / with the
# status, content type and body of the first.
check_same_replies() {
  local server first="$1"
  declare -A head
  for server in "$@"; do
    start_server "$server" 0 1
    head[$server]="$(curl -sS --max-time 3 -o "$WORK/$server.body" \
      -w '%{http_code} %{content_type}\n' "http://127.0.0.1:$PORT/")"
    stop_server
  done
  for server in "${@:2}"; do
    cmp -s "$WORK/$first.body" "$WORK/$server.body" || die "$first and $server send different bodies"
    [[ "${head[$first]}" == "${head[$server]}" ]] ||
      die "status or content type differ: $first '${head[$first]}', $server '${head[$server]}'"
  done
  info "$(wc -c <"$WORK/$first.body") bytes, ${head[$first]}"
}
