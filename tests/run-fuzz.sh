#!/usr/bin/env bash
# Usage: tests/run-fuzz.sh [--seconds N] FUZZER
#
# Run a libFuzzer target for N seconds (default 60) from the seed corpus in
# tests/fuzz/corpus, growing a working copy under build/fuzz/corpus (the
# seeds in the repository are not changed). A crash, a sanitizer report or a
# hang fails the run and leaves the input that caused it under build/fuzz/.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

seconds=60
fuzzer=""
while (($# > 0)); do
  case "$1" in
    -h | --help) print_usage; exit 0 ;;
    --seconds)
      [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage_error "--seconds needs a whole number of seconds"
      seconds="$2"
      shift
      ;;
    -*) usage_error "unknown option '$1'" ;;
    *) fuzzer="$1" ;;
  esac
  shift
done
[[ -n "$fuzzer" ]] || usage_error "name the fuzzer to run"
[[ -x "$fuzzer" ]] || die "no fuzzer at $fuzzer (run: make $fuzzer)"

cd "$ASKELADDEN_ROOT"
work=build/fuzz/corpus
artifacts=build/fuzz/findings/
mkdir -p "$work" "$artifacts"
step "fuzzing the HTTP server for ${seconds}s ($fuzzer, seeds: tests/fuzz/corpus)"
if ! "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$artifacts" "$work" tests/fuzz/corpus \
  >build/fuzz/last-run.log 2>&1; then
  tail -n 40 build/fuzz/last-run.log >&2
  printf 'fuzz: 0 passed, 1 failed\n'
  die "the fuzzer found a problem: see build/fuzz/last-run.log and $artifacts"
fi
grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' build/fuzz/last-run.log >&2 || true
ok "no crash, sanitizer report or hang in ${seconds}s"
printf 'fuzz: 1 passed, 0 failed\n'
