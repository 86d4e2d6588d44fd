#!/usr/bin/env bash
# Usage: tests/run-soak.sh [--runs N] RUNNER...
#
# Run the Check runners (build/tests/v0.X/check_askeladden) N times in a row
# (default 20) while busy loops keep every core busy, so that a test that
# depends on timing luck shows up. Prints each run's result, then
# "soak: N passed, N failed". The busy loops end with the script, and each is
# bounded in time in any case. Logs: build/soak/run-N.log.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

runs=20
runners=()
while (($# > 0)); do
  case "$1" in
    -h | --help) print_usage; exit 0 ;;
    --runs)
      [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage_error "--runs needs a positive number"
      runs="$2"
      shift
      ;;
    -*) usage_error "unknown option '$1'" ;;
    *) runners+=("$1") ;;
  esac
  shift
done
((${#runners[@]} > 0)) || usage_error "name at least one runner"

cd "$ASKELADDEN_ROOT"
for runner in "${runners[@]}"; do
  [[ -x "$runner" ]] || die "no runner at $runner (run: make $runner)"
done

burners=()
stop_burners() {
  local pid
  for pid in "${burners[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait "${burners[@]}" 2>/dev/null || true
}
trap stop_burners EXIT

# One busy loop per core, at the tests' own priority; ten minutes a run at most.
cores="$(nproc)"
for ((i = 0; i < cores; i++)); do
  timeout "$((runs * 600))" bash -c 'while :; do :; done' &
  burners+=("$!")
done
step "soak: the Check suites $runs times, with $cores busy loops on $cores cores"

mkdir -p build/soak
passed=0 failed=0
for ((run = 1; run <= runs; run++)); do
  log="build/soak/run-$run.log"
  started=$SECONDS
  if tests/run-check.sh "${runners[@]}" >"$log" 2>&1; then
    passed=$((passed + 1))
    result=passed
  else
    failed=$((failed + 1))
    result=FAILED
  fi
  printf 'run %*d/%d: %-6s %4d s  %s\n' "${#runs}" "$run" "$runs" "$result" \
    "$((SECONDS - started))" "$(grep -o 'Checks: [0-9]*, Failures: [0-9]*, Errors: [0-9]*' "$log" |
      paste -sd ' ' -)"
  [[ "$result" == passed ]] || grep -E ':[FE]:' "$log" | sed 's/^/    /' || true
done
echo "soak: $passed passed, $failed failed"
((failed == 0))
