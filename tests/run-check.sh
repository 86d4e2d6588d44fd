#!/usr/bin/env bash
# Usage: tests/run-check.sh [--asan] RUNNER...
#
# Run Check runners (build/tests/v0.X/check_askeladden) against the snapshot
# each was built for, with the binary suites spawning that snapshot's server.
# --asan: the runners and servers were built with AddressSanitizer and UBSan.
#
# A runner that ran no test fails: Check runs zero tests, silently and
# successfully, when CK_RUN_SUITE or CK_RUN_CASE names nothing. A runner that
# ran every suite fails unless each Check test of the promise table
# (tests/promises.tsv) passed in it: deleting or unregistering one fails.
# With ASKELADDEN_TEST_LOGS set to a directory (tests/run.sh sets it), each
# runner also writes Check's JUnit-style XML and TAP results there, named
# check-v0.X[-SUITE][-CASE].xml and .tap.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

asan=0
runners=()
for arg in "$@"; do
  case "$arg" in
    -h | --help) print_usage; exit 0 ;;
    --asan) asan=1 ;;
    -*) usage_error "unknown option '$arg'" ;;
    *) runners+=("$arg") ;;
  esac
done
((${#runners[@]} > 0)) || usage_error "name at least one runner"

cd "$ASKELADDEN_ROOT"
export ASKELADDEN_ROOT CK_VERBOSITY="${CK_VERBOSITY:-normal}"
output="$(mktemp)" scratch="$(mktemp -d)"
trap 'rm -rf "$output" "$scratch"' EXIT
results="${ASKELADDEN_TEST_LOGS:-$scratch}"
mkdir -p "$results"

# result_name SNAPSHOT: where Check writes its XML and TAP results, less the
# extension.
result_name() { printf '%s/check-%s' "$results" "$1${CK_RUN_SUITE:+-$CK_RUN_SUITE}${CK_RUN_CASE:+-$CK_RUN_CASE}"; }

# ran_no_test: the runner's summary says "Checks: 0", or it printed none.
ran_no_test() {
  grep -Eq '[0-9]+%: Checks: 0,' "$output" ||
    { [[ "$CK_VERBOSITY" != silent ]] && ! grep -Eq '[0-9]+%: Checks: [0-9]+' "$output"; }
}

failed=0
for runner in "${runners[@]}"; do
  snapshot="$(basename "$(dirname "$runner")")"
  [[ -x "$runner" ]] || die "no runner at $runner (run: make $runner)"
  if ((asan)); then
    step "Check suites for $snapshot under AddressSanitizer and UBSan"
    bin="$snapshot/build/asan/askeladden"
    env=(CK_TIMEOUT_MULTIPLIER=4
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1)
  else
    step "Check suites for $snapshot"
    bin="$snapshot/askeladden"
    env=()
  fi
  [[ -x "$bin" ]] || die "no server binary at $bin"
  name="$(result_name "$snapshot")"
  env+=(CK_XML_LOG_FILE_NAME="$name.xml" CK_TAP_LOG_FILE_NAME="$name.tap")
  env "${env[@]}" ASKELADDEN_BIN="$bin" "$runner" 2>&1 | tee "$output" || failed=1
  if [[ -z "${CK_RUN_SUITE:-}${CK_RUN_CASE:-}${ASKELADDEN_TARGET:-}" ]]; then
    /usr/bin/python3 tests/promises.py ran "$name.xml" || failed=1
  fi
  if ran_no_test; then
    printf '%s%s: error:%s %s ran no test: CK_RUN_SUITE=%s CK_RUN_CASE=%s match nothing\n' \
      "$C_RED" "$SCRIPT_NAME" "$C_RESET" "$runner" "${CK_RUN_SUITE:-}" "${CK_RUN_CASE:-}" >&2
    failed=1
  fi
done
exit "$failed"
