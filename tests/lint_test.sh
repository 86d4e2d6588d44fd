#!/usr/bin/env bash
# Usage: tests/lint_test.sh [--help] [FILE...]
#
# Every C file is in the format .clang-format describes: one check a distinct
# file (v0.2/src's copies of v0.1/src's files count once), `clang-format
# --dry-run --Werror`, which names the lines that drifted. Fix a file with
# `clang-format -i FILE`.
#
# Without FILE, the C files of both snapshots, tests/, common/ and
# scripts/bench/, found on disk; finding none fails. First, a copy of one of
# them with its indentation broken must fail the same check: a lint that
# passes everything proves nothing.
#
# Needs clang-format 14 (Debian 12's; make setup installs it); another version
# may format some lines differently. CLANG_FORMAT names another binary.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

accept_help_among_arguments "$@"
files=()
for arg in "$@"; do
  [[ -f "$arg" ]] || usage_error "no such file: $arg"
  files+=("$(realpath "$arg")")
done

clang_format="${CLANG_FORMAT:-clang-format}"
require_cmd "$clang_format"
cd "$ASKELADDEN_ROOT"

formatted() { "$clang_format" --dry-run --Werror "$1"; }

# A file of ours with every indented line pushed one space further: the
# check must reject it. It sits under build/ so that .clang-format applies.
drift_is_caught() {
  local copy
  copy="$(mktemp -d build/lint.XXXXXX)/drifted.c"
  sed 's/^    / &/' "$1" >"$copy"
  local rc=0
  formatted "$copy" >/dev/null 2>&1 || rc=$?
  rm -rf "$(dirname "$copy")"
  ((rc != 0))
}

if ((${#files[@]} == 0)); then
  mapfile -t files < <(find v0.1/src v0.2/src tests common scripts/bench -name build -prune -o \
    -type f \( -name '*.c' -o -name '*.h' \) -print | sort)
  ((${#files[@]} > 0)) || die "no C files found under $ASKELADDEN_ROOT"
  mkdir -p build
  step "lint: a drifted copy of v0.2/src/main.c fails the check"
  check "a file off the format is caught" drift_is_caught v0.2/src/main.c
fi

# A file identical to one already listed is the same check again.
declare -A seen=()
distinct=()
for file in "${files[@]}"; do
  sum="$(md5sum <"$file")"
  [[ -n "${seen[$sum]:-}" ]] || distinct+=("$file")
  seen[$sum]=1
done
((${#distinct[@]} == ${#files[@]})) || info "$((${#files[@]} - ${#distinct[@]})) files are copies of others (v0.2/src of v0.1/src): checked once"
files=("${distinct[@]}")

step "lint: ${#files[@]} C files against .clang-format ($("$clang_format" --version | grep -o 'version [0-9.]*'))"
for file in "${files[@]}"; do
  if out="$(formatted "$file" 2>&1)"; then
    check_pass "${file#"$ASKELADDEN_ROOT"/} is formatted"
  else
    check_fail "${file#"$ASKELADDEN_ROOT"/} is formatted" "$(head -n 4 <<<"$out")"
  fi
done
checks_summary lint
