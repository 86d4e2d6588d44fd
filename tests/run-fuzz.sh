#!/usr/bin/env bash
# Usage: tests/run-fuzz.sh [--seconds N] [--min-execs N] FUZZER
#
# Run a libFuzzer target for N seconds (default 60) from the seed corpus in
# tests/fuzz/corpus with the dictionary tests/fuzz/http.dict, growing a
# working copy under build/fuzz/corpus (the seeds in the repository are not
# changed). Then one line per promise and "fuzz: N passed, N failed":
#   - no crash, sanitizer report or hang (the input that caused one is left
#     under build/fuzz/findings/);
#   - at least --min-execs inputs ran (default: 10 per second of the run);
#   - libevent's HTTP parser was covered: the run's coverage report names its
#     request line, header and body parsing functions as covered. They are
#     only instrumented when the target links the libevent that
#     tests/fuzz/build-libevent.sh builds, not Debian's.
# The log of the run: build/fuzz/last-run.log.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

# Each input is a whole TCP connection through the server: 354 a second were
# measured over 60 s on 2 cores with a load of about 5, and 46 a second with
# two busy loops added on top (load 10). An input that waits on a timeout
# costs a second or more, so a run under 10 a second is not a busy machine but
# a target that stopped parsing and started waiting.
MIN_EXECS_PER_SECOND=10
# Request line, headers, body and URI. evhttp_parse_request_line and
# evhttp_parse_headers_ are inlined into the first two at -O1.
PARSER_FUNCS=(evhttp_parse_firstline_ evhttp_parse_http_version evhttp_parse_headers_impl_
  evhttp_read_header evhttp_get_body evhttp_read_body evhttp_uri_parse_with_flags)

seconds=60
min_execs=""
fuzzer=""
while (($# > 0)); do
  case "$1" in
    -h | --help) print_usage; exit 0 ;;
    --seconds | --min-execs)
      [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage_error "$1 needs a whole number"
      if [[ "$1" == --seconds ]]; then seconds="$2"; else min_execs="$2"; fi
      shift
      ;;
    -*) usage_error "unknown option '$1'" ;;
    *) fuzzer="$1" ;;
  esac
  shift
done
[[ -n "$fuzzer" ]] || usage_error "name the fuzzer to run"
[[ -x "$fuzzer" ]] || die "no fuzzer at $fuzzer (run: make $fuzzer)"
min_execs="${min_execs:-$((seconds * MIN_EXECS_PER_SECOND))}"

cd "$ASKELADDEN_ROOT"
work=build/fuzz/corpus
artifacts=build/fuzz/findings/
log=build/fuzz/last-run.log
mkdir -p "$work" "$artifacts"

step "fuzzing the HTTP server for ${seconds}s ($fuzzer, seeds: tests/fuzz/corpus, log: $log)"
rc=0
# A UBSan report is a finding too, not a line in the log.
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
  "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
  -dict=tests/fuzz/http.dict -print_final_stats=1 -print_coverage=1 \
  -artifact_prefix="$artifacts" "$work" tests/fuzz/corpus >"$log" 2>&1 || rc=$?

execs="$(awk '/^stat::number_of_executed_units:/ { print $2 }' "$log")"
rate="$(awk '/^stat::average_exec_per_sec:/ { print $2 }' "$log")"
cov="$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)"
# COVERED_FUNC: hits: H edges: COVERED/ALL NAME FILE:LINE
http_c="$(awk '$1 ~ /^(UN)?COVERED_FUNC:$/ && $NF ~ /\/http\.c:[0-9]+$/ {
    split($5, e, "/"); funcs++; edges += e[2]
    if ($1 == "COVERED_FUNC:") { covered++; hit += e[1] }
  } END { printf "%d of %d functions, %d of %d edges", covered, funcs, hit, edges }' "$log")"
info "executions: ${execs:-none} (${rate:-0} a second), coverage: ${cov:-none}"
info "libevent's http.c: $http_c covered"

if ((rc == 0)); then
  check_pass "no crash, sanitizer report or hang in ${seconds}s"
else
  # The report, not the coverage listing printed after it.
  grep -vE '^ *(UN)?COVERED_(FUNC|PC):' "$log" | tail -n 40 >&2
  check_fail "no crash, sanitizer report or hang in ${seconds}s" \
    "the fuzzer exited with $rc: see $log and the input under $artifacts"
fi
if ((${execs:-0} >= min_execs)); then
  check_pass "at least $min_execs inputs ran ($execs)"
else
  check_fail "at least $min_execs inputs ran" "only ${execs:-0} ran: see $log"
fi
missing=()
for func in "${PARSER_FUNCS[@]}"; do
  grep -qE "^COVERED_FUNC: .* $func [^ ]*/http\.c:[0-9]+$" "$log" || missing+=("$func")
done
if ((${#missing[@]} == 0)); then
  check_pass "libevent's HTTP parser covered (${PARSER_FUNCS[*]})"
else
  check_fail "libevent's HTTP parser covered" \
    "not covered: ${missing[*]} (is $fuzzer linked against Debian's libevent?)"
fi
checks_summary fuzz
