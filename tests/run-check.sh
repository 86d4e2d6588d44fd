#!/usr/bin/env bash
# Usage: tests/run-check.sh [--asan] RUNNER...
#
# Run Check runners (build/tests/v0.X/check_askeladden) against the snapshot
# each was built for, with the binary suites spawning that snapshot's server.
# --asan: the runners and servers were built with AddressSanitizer and UBSan.
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
  env "${env[@]}" ASKELADDEN_BIN="$bin" "$runner" || failed=1
done
exit "$failed"
