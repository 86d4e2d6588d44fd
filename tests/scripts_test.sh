#!/usr/bin/env bash
# Usage: tests/scripts_test.sh [--help]
#
# Every shell script in the repository is clean under shellcheck, answers
# --help with its usage (exit 0) and rejects an unknown option with exit 2.
# This is the one place those promises are checked; and so is common/lib.sh's
# rule for colour (on a terminal, per stream, never with NO_COLOR).
#
# The scripts are found on disk, not through git (a release tarball has no
# .git): every file under scripts/, tests/, common/ and .ci/ named *.sh or
# starting with a bash shebang. Finding none, or not this script itself, fails.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

accept_only_help "$@"

cd "$ASKELADDEN_ROOT"
require_cmd shellcheck

is_shell_script() {
  [[ "$1" == *.sh ]] || head -n 1 "$1" | grep -Eq '^#!(/usr/bin/env |/bin/)(ba)?sh\b'
}

find_scripts() {
  local file
  find scripts tests common .ci -name build -prune -o -type f -print 2>/dev/null | sort |
    while read -r file; do
      if is_shell_script "$file"; then printf '%s\n' "$file"; fi
    done
}

# grep reads it all: -q would stop at the match, and a long --help would then die of SIGPIPE.
help_works() { "$1" --help | grep '^Usage:' >/dev/null; }
bad_option_exits_2() {
  local rc=0
  "$1" --no-such-option >/dev/null 2>&1 || rc=$?
  [[ "$rc" == 2 ]]
}

mapfile -t scripts < <(find_scripts)
[[ " ${scripts[*]} " == *" tests/scripts_test.sh "* && " ${scripts[*]} " == *" common/lib.sh "* ]] ||
  die "the search for scripts under scripts/ tests/ common/ .ci/ found ${#scripts[@]}, not even tests/scripts_test.sh and common/lib.sh"
info "${#scripts[@]} scripts"
for script in "${scripts[@]}"; do
  check "shellcheck $script" shellcheck "$script"
  # Sourced libraries, not commands: no --help of their own.
  [[ "$script" == common/* || "$script" == scripts/bench/* || "$script" == scripts/cluster/* ||
    "$script" == scripts/redeploy/* || "$script" == scripts/setup/* || "$script" == tests/docs/* ||
    "$script" == tests/cluster/* || "$script" == tests/redeploy/* || "$script" == tests/setup/* ||
    "$script" == .ci/run ]] && continue
  check "$script --help prints its usage" help_works "$script"
  check "$script rejects an unknown option with exit 2" bad_option_exits_2 "$script"
done

# Colour only for people, decided per stream by common/lib.sh's colour_on for
# the shell's messages (compare-sizes' Python applies the same rule in its own
# code, tested with it). script(1) runs the check on a terminal.
on_terminal() { TERM=xterm script -qec "bash -c 'source common/lib.sh; $1'" /dev/null </dev/null >/dev/null; }
check "colour_on: a terminal may be coloured" on_terminal 'colour_on 1 && colour_on 2'
check "colour_on: per stream, stderr sent to a file is not, stdout still is" \
  on_terminal 'colour_on 1 && ! colour_on 2 2>/dev/null'
check "colour_on: per stream, stdout sent to a file is not, stderr still is" \
  on_terminal '! colour_on 1 >/dev/null && colour_on 2'
check "colour_on: not with NO_COLOR set" on_terminal 'export NO_COLOR=1; ! colour_on 1 && ! colour_on 2'
check "colour_on: not with TERM=dumb" on_terminal 'export TERM=dumb; ! colour_on 1'
check "colour_on: not on a pipe or a file" bash -c 'source common/lib.sh; ! colour_on 1'
# The inner shell expands $C_BOLD, not this one.
# shellcheck disable=SC2016
check "colours_for 1: run.sh's table, on a terminal, is coloured though stderr goes to a file" \
  on_terminal 'colours_for 1 2>/dev/null; [[ -n "$C_BOLD" ]]'
# shellcheck disable=SC2016
check "colours_for 1: not when stdout goes to a file" on_terminal 'colours_for 1 >/dev/null; [[ -z "$C_BOLD" ]]'
checks_summary scripts
