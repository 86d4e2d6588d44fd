#!/usr/bin/env bash
# Usage: tests/run.sh [--help] [--repeat N] [STAGE...]
#
# Everything `make test` runs, stage by stage, each a make target; a table of
# the results at the end and a closing line "total: N passed, N failed,
# N skipped". With STAGE names, only those stages run; an unknown name is a
# usage error (exit 2).
#
# --repeat N runs the chosen stages N times in a row, one table row a run, to
# hunt for tests that pass by luck: tests/run.sh --repeat 10 unit asan. Any
# failed run fails the whole. Each run's log is build/test-logs/STAGE-RUN.log.
#
# A stage fails when its target fails, or when it ran fewer checks than the
# minimum it states below: a stage cannot pass having checked nothing.
# Skipped checks do not count as run.
#
# Logs: build/test-logs/STAGE.log, and machine-readable results a CI system can
# show in build/test-logs/STAGE/: Check's XML and TAP per runner, TAP per
# shell test driver.
#
# Stages: build clang lint unit asan memcheck fuzz scripts images setup redeploy
#         compare-sizes debian13 docs
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

# The stages in the order they run. "at least": the fewest checks (passed or
# failed, not skipped) the stage must report, a little under what it runs
# today; raise it when a stage gains checks. A stage that prints no counts
# (a build) counts as one check. The count is a floor, not the proof of
# coverage: what must run is named in tests/promises.tsv, and a unit or asan
# run in which one of its tests did not pass fails (tests/run-check.sh).
# Checks that repeat per file count once: lint checks each distinct C file,
# the docs test each page's commands for sleeps as one check.
# "skips": a stage whose row says "may" may skip checks (the cluster stages,
# when the reader's own cluster answers: cluster.sh's start and stop are not
# tried on it); a skip in any other stage fails it, since make test installs
# and starts everything its checks need.
#      stage          make target          at least  skips  what it proves
STAGES='
       build          build-gcc                  1  -     both snapshots build with gcc -Wall -Wextra -Werror
       clang          build-clang                1  -     both snapshots build with clang -Wall -Wextra -Werror
       lint           test-lint                 38  -     every distinct C file is in the format .clang-format describes
       unit           test-unit                430  -     the Check suites against both snapshots (2 x 162), with every test the promise table names (2 x 59)
       asan           test-asan                430  -     the Check suites under AddressSanitizer and UBSan
       memcheck       test-memcheck             45  -     the built servers under load in valgrind memcheck (2 x 24)
       fuzz           test-fuzz                  3  -     a bounded libFuzzer run through the server and the HTTP parser of libevent
       scripts        test-scripts             120  -     shellcheck and --help on every script; the colour rule; the promise table
       images         test-images               80  -     the two images build and behave, with BuildKit and the legacy builder (Docker)
       setup          test-setup                85  -     setup.sh against dpkg states with dummy Docker packages and a throwaway APT lacking a package; how it would start the engine; make compare-sizes as a user in the docker group
       redeploy       test-redeploy            300  may   registry.sh, the manifests, and on a real cluster cluster.sh (also cut short and after crashes), the rollouts of the posts, redeploy.sh (Ctrl-C, failing fast)
       compare-sizes  test-compare-sizes       185  -     compare-sizes: its modules and their types, the engine numbers, JSON, budgets, diff
       debian13       test-debian13             24  -     post 1 on Debian 13 in a throwaway root: its setup line, the builds, the unit stage, make images and compare-sizes on the containerd image store
       docs           test-docs                220  may   the posts: their commands run (on a cluster too) and print what they say
'

repeat=1
if [[ "${1:-}" == --repeat ]]; then
  [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage_error "--repeat needs a positive number"
  repeat="$2"
  shift 2
fi
accept_help_among_arguments "$@"

declare -A known=()
while read -r name _; do [[ -z "$name" ]] || known[$name]=1; done <<<"$STAGES"
for arg in "$@"; do
  [[ -n "${known[$arg]:-}" ]] || usage_error "unknown stage '$arg' (stages: $(awk 'NF { print $1 }' <<<"$STAGES" | paste -sd ' '))"
done

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

rows=() notes=()
total_pass=0 total_fail=0 total_skip=0
# run_stage NAME TARGET MINIMUM ABOUT LABEL: run one stage once, add its row.
run_stage() {
  local name="$1" target="$2" minimum="$3" skips="$4" about="$5" label="$6" started rc result pass fail skip
  local log="$logs/$label.log"
  step "stage $label: $about"
  started=$SECONDS
  rm -rf "${logs:?}/$name"
  set +e
  ASKELADDEN_TEST_LOGS="$ASKELADDEN_ROOT/$logs/$name" make --no-print-directory "$target" </dev/null 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  read -r pass fail skip < <(count_results "$log" "$rc")
  result=ok
  ((rc == 0)) || result=FAILED
  if ((skip > 0)) && [[ "$skips" != may ]]; then
    notes+=("$label skipped $skip checks, which only the cluster stages may: see the *** SKIPPED lines in $log")
    result=FAILED fail=$((fail + 1))
  fi
  if ((pass + fail < minimum)); then
    notes+=("$label ran $((pass + fail)) checks; it expects at least $minimum (see $log)")
    result=FAILED fail=$((fail + 1))
  fi
  total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail)) total_skip=$((total_skip + skip))
  rows+=("$(printf '%-13s %-7s %6d %6d %7d %8d %5ds' "$label" "$result" "$pass" "$fail" "$skip" "$minimum" $((SECONDS - started)))")
}

for ((run = 1; run <= repeat; run++)); do
  while read -r name target minimum skips about; do
    [[ -n "$name" ]] || continue
    if (($# > 0)) && [[ " $* " != *" $name "* ]]; then
      continue
    fi
    label="$name"
    ((repeat == 1)) || label="$name-$run"
    run_stage "$name" "$target" "$minimum" "$skips" "$about" "$label"
  done <<<"$STAGES"
done

# The table goes to stdout: its colour follows stdout, not stderr.
colours_for 1
printf '\n%s%-13s %-7s %6s %6s %7s %8s %6s%s\n' "$C_BOLD" stage result passed failed skipped "at least" time "$C_RESET"
printf '%s\n' "${rows[@]}"
for note in "${notes[@]}"; do printf '%s%s%s\n' "$C_RED" "$note" "$C_RESET"; done
((total_skip == 0)) || printf '%sSome checks were skipped: see the *** SKIPPED lines above.%s\n' "$C_YELLOW" "$C_RESET"
printf 'total: %d passed, %d failed, %d skipped\n' "$total_pass" "$total_fail" "$total_skip"
((total_fail == 0))
