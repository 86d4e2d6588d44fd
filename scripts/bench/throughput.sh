# bench throughput: wrk runs against freshly started servers, interleaved
# round by round. Sourced by scripts/bench.sh.
# shellcheck shell=bash
# scripts/bench.sh sets ROUNDS, DURATION, HZ, CONFIGS, WORKLOADS and SERVERS.
# shellcheck disable=SC2154

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

# throughput_run SERVER SERVER_CPUS LOOPS WRK_CPUS WRK_THREADS WORKLOAD: one
# wrk run on a freshly started server; sets RUN_FIGURES to "rps cpu_us p50 p99
# errors peak_kb idle_kb", cpu_us being the server's CPU time a request. (Not
# printed: in a command substitution the exit trap would not see the server.)
throughput_run() {
  local server="$1" scpus="$2" loops="$3" wcpus="$4" wthreads="$5" workload="$6"
  local idle_kb ticks wrk rps p50 p99 errors requests cpu_us peak_kb
  start_server "$server" "$scpus" "$loops"
  idle_kb="$(server_kb VmRSS)"
  ticks="$(server_cpu_ticks)"
  wrk="$(wrk_run "$wcpus" "$wthreads" "$workload")"
  [[ -n "$wrk" ]] || die "wrk printed no result line (scripts/bench/report.lua)"
  read -r rps p50 p99 errors requests <<<"$wrk"
  ticks=$(($(server_cpu_ticks) - ticks))
  cpu_us="$(awk -v t="$ticks" -v hz="$HZ" -v n="$requests" 'BEGIN { printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }')"
  peak_kb="$(server_kb VmHWM)"
  stop_server
  RUN_FIGURES="$rps $cpu_us $p50 $p99 $errors $peak_kb $idle_kb"
}

# run_throughput RUNS: every config, workload and server, ROUNDS times, each
# run on a new server; prints one line a run, "config workload server round
# rps cpu_us p50 p99 errors peak_kb idle_kb", and a progress line to stderr.
run_throughput() {
  local runs="$1" run=0 round config cname scpus loops wcpus wthreads workload first server
  local rps cpu_us p50 p99 errors
  for ((round = 1; round <= ROUNDS; round++)); do
    for config in "${CONFIGS[@]}"; do
      IFS='|' read -r cname scpus loops wcpus wthreads <<<"$config"
      for workload in "${WORKLOADS[@]}"; do
        # Who goes first rotates, so that none always meets a warmer machine.
        first=$(((round - 1) % ${#SERVERS[@]}))
        for server in "${SERVERS[@]:first}" "${SERVERS[@]:0:first}"; do
          run=$((run + 1))
          throughput_run "$server" "$scpus" "$loops" "$wcpus" "$wthreads" "$workload"
          printf '%s %s %s %s %s\n' "$cname" "$workload" "$server" "$round" "$RUN_FIGURES"
          read -r rps cpu_us p50 p99 errors _ <<<"$RUN_FIGURES"
          info "[$run/$runs] round $round $cname $workload $server: $rps req/s, $cpu_us us CPU a request, p99 $p99 us, $errors errors"
        done
      done
    done
  done
}
