#!/usr/bin/env bash
# Usage: tests/scripts_test.sh [--help]
#
# Every shell script in the repository is clean under shellcheck, answers
# --help with its usage (exit 0) and rejects an unknown option with exit 2.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

accept_only_help "$@"

cd "$ASKELADDEN_ROOT"
help_works() { "$1" --help | grep -q '^Usage:'; }
bad_option_exits_2() {
  local rc=0
  "$1" --no-such-option >/dev/null 2>&1 || rc=$?
  [[ "$rc" == 2 ]]
}

mapfile -t scripts < <(git ls-files '*.sh' .ci/run common/lib.sh | sort -u)
for script in "${scripts[@]}"; do
  [[ -f "$script" ]] || continue
  check "shellcheck $script" shellcheck "$script"
  # Sourced libraries, not commands: no --help of their own.
  [[ "$script" == common/* || "$script" == tests/docs/* || "$script" == .ci/run ]] && continue
  check "$script --help prints its usage" help_works "$script"
  check "$script rejects an unknown option with exit 2" bad_option_exits_2 "$script"
done
checks_summary scripts
