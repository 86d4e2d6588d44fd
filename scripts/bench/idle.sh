# bench idle: what an idle keep-alive connection costs a server in memory, and
# how fast it still answers a new one. Sourced by scripts/bench.sh.
# shellcheck shell=bash
# scripts/bench.sh sets TOOLS, WORK and IDLE_CONNECTIONS.
# shellcheck disable=SC2154

# idle_run SERVER: one loop, RSS before and with IDLE_CONNECTIONS connections
# that made one request each and then sit idle, and the time a new request
# then takes; prints "server rss_before_kb rss_with_kb reply_ms".
idle_run() {
  local server="$1" before with seconds reply_ms idle_pid
  start_server "$server" 0 1 $((IDLE_CONNECTIONS + 500))
  before="$(server_kb VmRSS)"
  "$TOOLS/idle_conns" 127.0.0.1 "$PORT" "$IDLE_CONNECTIONS" 8 >"$WORK/idle.out" 2>&1 &
  idle_pid=$!
  wait_until 30 "" grep -q '^ready' "$WORK/idle.out" ||
    die "$server: $IDLE_CONNECTIONS idle connections did not open: $(tail -n 1 "$WORK/idle.out")"
  with="$(server_kb VmRSS)"
  seconds="$(curl -sS --max-time 5 -o /dev/null -w '%{time_total}' "http://127.0.0.1:$PORT/")" ||
    die "$server: no reply with $IDLE_CONNECTIONS idle connections open"
  reply_ms="$(awk -v s="$seconds" 'BEGIN { printf "%.2f", s * 1000 }')"
  kill "$idle_pid" 2>/dev/null || true
  wait "$idle_pid" 2>/dev/null || true
  stop_server
  printf '%s %s %s %s\n' "$server" "$before" "$with" "$reply_ms"
  info "$server: $(((with - before) * 1024 / IDLE_CONNECTIONS)) bytes a connection, a new request answered in $reply_ms ms"
}
