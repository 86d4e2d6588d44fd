#!/usr/bin/env bash
# Usage: tests/scripts_test.sh [--help]
#
# Every shell script in the repository is clean under shellcheck, answers
# --help with its usage (exit 0) and rejects an unknown option with exit 2.
# This is the one place those promises are checked.
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

help_works() { "$1" --help | grep -q '^Usage:'; }
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
  [[ "$script" == common/* || "$script" == scripts/bench/* || "$script" == tests/docs/* || "$script" == .ci/run ]] && continue
  check "$script --help prints its usage" help_works "$script"
  check "$script rejects an unknown option with exit 2" bad_option_exits_2 "$script"
done
checks_summary scripts
