# bench callgrind: user-space instructions a request, counted by valgrind, so
# that the machine's noise does not move the figure. Sourced by scripts/bench.sh.
# shellcheck shell=bash
# scripts/bench.sh sets OURS, TOOLS, WORK, the ports and CALLGRIND_REQUESTS.
# shellcheck disable=SC2154

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

# callgrind_instructions NAME REQUESTS: sets TOTAL_INSTRUCTIONS to the
# instructions of a server run under callgrind that answered REQUESTS
# requests, one after the other on one connection: with more, how requests
# batch into loop iterations depends on timing, and the count moves by a few
# percent. The profile is $WORK/callgrind.NAME.REQUESTS.
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
  track_server $!
  wait_for_port 127.0.0.1 "$port" 60
  "$TOOLS/fixed_requests" 127.0.0.1 "$port" 1 "$requests" || die "callgrind run of $name failed"
  stop_patiently
  TOTAL_INSTRUCTIONS="$(awk '/^totals:/ { print $2 }' "$out")"
}

# top_functions PROFILE REQUESTS: the functions that cost the most, in
# instructions a request; lines of "instructions share function object".
top_functions() {
  callgrind_annotate --threshold=100 "$1" 2>/dev/null |
    awk -v n="$2" '
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

# measure_instructions SERVER...: instructions a request of each, as lines
# "server instructions"; keeps the profiles in build/bench/callgrind.SERVER.
measure_instructions() {
  local server base per_request full=$((1000 + CALLGRIND_REQUESTS))
  mkdir -p build/bench
  for server in "$@"; do
    # The difference of two runs leaves out start, connect and shutdown.
    callgrind_instructions "$server" 1000
    base="$TOTAL_INSTRUCTIONS"
    callgrind_instructions "$server" "$full"
    per_request=$(((TOTAL_INSTRUCTIONS - base) / CALLGRIND_REQUESTS))
    printf '%s %d\n' "$server" "$per_request"
    info "$server: $per_request instructions a request"
    cp "$WORK/callgrind.$server.$full" "build/bench/callgrind.$server"
  done
}
