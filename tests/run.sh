#!/usr/bin/env bash
# Usage: tests/run.sh [--help] [STAGE...]
#
# Everything `make test` runs, stage by stage, each a make target; a table of
# the results at the end and a closing line "total: N passed, N failed,
# N skipped". With STAGE names, only those stages run. Logs: build/test-logs/.
#
# Stages: build clang unit asan memcheck fuzz scripts images redeploy compare-sizes
#         docs
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

# name, make target, what it proves
STAGES=(
  "build|all|both snapshots build with gcc -Wall -Wextra -Werror"
  "clang|build-clang|both snapshots build with clang -Wall -Wextra -Werror"
  "unit|test-unit|the Check suites against both snapshots"
  "asan|test-asan|the Check suites under AddressSanitizer and UBSan"
  "memcheck|test-memcheck|the built servers under load in valgrind memcheck"
  "fuzz|test-fuzz|a bounded libFuzzer run against the in-process server"
  "scripts|test-scripts|shellcheck and --help on every script"
  "images|test-images|the two images build and behave (Docker)"
  "redeploy|test-redeploy|redeploy.sh against a local registry (and a cluster)"
  "compare-sizes|test-compare-sizes|compare-sizes.sh: the engine's numbers, JSON, budgets, diff"
  "docs|test-docs|the posts: their commands run and print what they say"
)

accept_help_among_arguments "$@"

cd "$ASKELADDEN_ROOT"
logs=build/test-logs
mkdir -p "$logs"

# Count the results a stage printed: Check's "Checks: N, Failures: F, Errors: E"
# and our scripts' "NAME: N passed, N failed[, N skipped]" lines. A stage that
# prints neither counts as one check, passed or failed by its exit code.
count_results() {
  local log="$1" rc="$2"
  awk -v rc="$rc" '
    /[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/ {
      match($0, /Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/)
      split(substr($0, RSTART, RLENGTH), f, /[^0-9]+/)
      p += f[2] - f[3] - f[4]; x += f[3] + f[4]; found = 1
    }
    /^[a-z-]+: [0-9]+ passed, [0-9]+ failed/ {
      split($0, f, /[^0-9]+/)
      p += f[2]; x += f[3]; if ($0 ~ /skipped/) s += f[4]; found = 1
    }
    END {
      if (!found) { if (rc == 0) p = 1; else x = 1 }
      if (rc != 0 && x == 0) x = 1
      printf "%d %d %d\n", p, x, s
    }' "$log"
}

selected=("$@")
rows=()
total_pass=0 total_fail=0 total_skip=0
for stage in "${STAGES[@]}"; do
  IFS='|' read -r name target about <<<"$stage"
  if ((${#selected[@]} > 0)) && [[ " ${selected[*]} " != *" $name "* ]]; then
    continue
  fi
  step "stage $name: $about"
  started=$SECONDS
  set +e
  make --no-print-directory "$target" 2>&1 | tee "$logs/$name.log"
  rc=${PIPESTATUS[0]}
  set -e
  read -r pass fail skip < <(count_results "$logs/$name.log" "$rc")
  total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail)) total_skip=$((total_skip + skip))
  result=$([[ "$rc" == 0 ]] && echo ok || echo FAILED)
  rows+=("$(printf '%-13s %-7s %6d %6d %7d %5ds' "$name" "$result" "$pass" "$fail" "$skip" $((SECONDS - started)))")
done

printf '\n%s%-13s %-7s %6s %6s %7s %6s%s\n' "$C_BOLD" stage result passed failed skipped time "$C_RESET"
printf '%s\n' "${rows[@]}"
((total_skip == 0)) || printf '%sSome checks were skipped: see the *** SKIPPED lines above.%s\n' "$C_YELLOW" "$C_RESET"
printf 'total: %d passed, %d failed, %d skipped\n' "$total_pass" "$total_fail" "$total_skip"
((total_fail == 0))
