#!/usr/bin/env bash
# Usage: tests/run-mutants.sh [--help] [NAME...]
#
# Break the server on purpose, one promise at a time, and check that the unit
# stage notices. Each mutant of tests/mutants.tsv (or only those NAMEd) is
# applied to both snapshots in a copy of the tree under build/mutants/, whose
# unit stage (the Check suites against both snapshots) must then fail. The
# unmutated copy must pass first, or nothing could be told apart.
#
# Prints one line per mutant, killed or SURVIVED, then
# "mutants: N killed, N survived" and exits 1 when a mutant survived or its
# text was not found exactly once (counted as a survivor). Logs:
# build/mutants/NAME.log. Minutes long (a unit stage per mutant), so not part
# of make test: make test-mutants.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

accept_help_among_arguments "$@"
cd "$ASKELADDEN_ROOT"
list=tests/mutants.tsv
work=build/mutants
tree="$work/tree"

mapfile -t entries <"$list"
declare -A wanted=()
for name in "$@"; do
  [[ "$name" != -* ]] || usage_error "unknown option '$name'"
  grep -q "^$name	" "$list" || usage_error "no mutant named '$name' in $list"
  wanted[$name]=1
done

# A copy of what the unit stage builds from; the mutants change the copy only.
step "copying the tree to $tree"
rm -rf "$tree"
mkdir -p "$tree"
tar --exclude=build --exclude='v0.*/askeladden' -cf - Makefile common tests v0.1 v0.2 | tar -xf - -C "$tree"

unit_stage() { make --no-print-directory -C "$tree" test-unit >"$1" 2>&1; }

step "the unmutated tree must pass the unit stage"
unit_stage "$work/unmutated.log" || die "the unmutated tree fails the unit stage: see $work/unmutated.log"

# replace FILE FROM TO: FROM must stand in FILE exactly once.
replace() {
  local file="$1" from to text count
  from="$(printf '%b' "$2")" to="$(printf '%b' "$3")"
  text="$(<"$file")"
  count="$(grep -cF -- "$(head -n 1 <<<"$from")" "$file" || true)"
  [[ "$count" == 1 && "$text" == *"$from"* ]] || return 1
  printf '%s\n' "${text/"$from"/"$to"}" >"$file"
}

killed=0 survived=0
for entry in "${entries[@]}"; do
  IFS=$'\t' read -r name file from to <<<"$entry"
  [[ -n "$name" && "$name" != \#* ]] || continue
  ((${#wanted[@]} == 0)) || [[ -n "${wanted[$name]:-}" ]] || continue
  log="$work/$name.log"
  applied=1
  for snapshot in v0.1 v0.2; do
    replace "$tree/$snapshot/src/$file" "$from" "$to" || applied=0
  done
  if ((!applied)); then
    survived=$((survived + 1))
    printf '%sNOT APPLIED%s %s: its text is not in src/%s exactly once\n' "$C_RED" "$C_RESET" "$name" "$file"
  elif unit_stage "$log"; then
    survived=$((survived + 1))
    printf '%sSURVIVED%s  %s (the unit stage passed: %s)\n' "$C_RED" "$C_RESET" "$name" "$log"
  else
    killed=$((killed + 1))
    printf '%skilled%s    %s\n' "$C_GREEN" "$C_RESET" "$name"
  fi
  for snapshot in v0.1 v0.2; do cp "$snapshot/src/$file" "$tree/$snapshot/src/$file"; done
done

echo "mutants: $killed killed, $survived survived"
((survived == 0))
