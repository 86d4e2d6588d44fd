#!/usr/bin/env bash
# Usage: tests/docs_test.sh [--help] [--no-run] [FILE.md...]
#
# Keep the posts honest. For README.md and every page in docs/ (or the FILEs
# given):
#   - every relative link points at a file that exists;
#   - every `make TARGET` mentioned is a target of the Makefile it names;
#   - every script mentioned exists and answers --help, and every --flag
#     written after it (or after `askeladden`) is in that --help;
#   - every block marked runnable runs, and prints what the post says.
#
# A runnable block is a ```console block right after the line
# <!-- runnable -->. Lines starting with "$ " are commands, run in order from
# the repository root, each in a shell of its own; the lines after each
# command are its expected output. In expected output, <anything> matches any
# text within a line, and a line "..." matches any number of lines. A last
# line "[exit N]" says the command exits N (diff does, when files differ).
#
# --no-run   check links, targets, scripts and flags, but run no block.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

run_blocks=1
files=()
for arg in "$@"; do
  case "$arg" in
    -h | --help) print_usage; exit 0 ;;
    --no-run) run_blocks=0 ;;
    -*) usage_error "unknown option '$arg'" ;;
    *) files+=("$arg") ;;
  esac
done

cd "$ASKELADDEN_ROOT"
((${#files[@]} > 0)) || mapfile -t files < <(ls README.md docs/*.md)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

pass() { check_pass "$*"; }
fail() { check_fail "$*"; }

# Markdown outside code blocks and inline code, to read prose links from.
prose() { awk '/^```/ { inside = !inside; next } !inside' "$1"; }

check_links() {
  local file="$1" dir target
  dir="$(dirname "$file")"
  while IFS= read -r target; do
    target="${target%%#*}"
    [[ -z "$target" ]] && continue
    if [[ -e "$dir/$target" ]]; then pass "$file links to $target"
    else fail "$file links to $target, which does not exist"; fi
  done < <(prose "$file" | grep -oE '\]\([^)[:space:]]+\)' | sed 's/^](//; s/)$//' |
    grep -vE '^(https?|mailto):' | sort -u)
}

make_target_exists() {
  local dir="$1" target="$2" out
  out="$(make -C "$dir" -n "$target" 2>&1)" && return 0
  ! grep -q 'No rule to make target' <<<"$out"
}

check_make_targets() {
  local file="$1" line dir target
  while IFS= read -r line; do
    dir=. target="${line##* }"
    [[ "$line" =~ -C\ ([^ ]+)\  ]] && dir="${BASH_REMATCH[1]}"
    if make_target_exists "$dir" "$target"; then pass "$file: make ${line#make }"
    else fail "$file mentions '$line', but $dir/Makefile has no target '$target'"; fi
  done < <(grep -oE '\bmake( -C [a-z0-9./]+)? [a-z][a-z0-9-]*' "$file" |
    grep -vE ' (sure|a|the|it|them|one|that|this|your)$' | sort -u)
}

help_text() {
  case "$1" in
    askeladden) v0.1/askeladden --help ;;
    *) "$1" --help ;;
  esac
}

check_scripts_and_flags() {
  local file="$1" line cmd flag help
  while IFS= read -r line; do
    cmd="${line%% *}"
    [[ "$cmd" == askeladden || -x "$cmd" ]] || { fail "$file mentions $cmd, which is not an executable script"; continue; }
    if ! help="$(help_text "$cmd" 2>&1)"; then
      fail "$cmd --help failed"
      continue
    fi
    while IFS= read -r flag; do
      if grep -q -- "$flag" <<<"$help"; then pass "$file: $cmd $flag is in its --help"
      else fail "$file mentions $cmd $flag, which its --help does not list"; fi
    done < <(grep -oE -- '--[a-z][a-z-]*' <<<"${line#"$cmd"}" | sort -u)
  done < <(grep -oE '(scripts/[a-z-]+\.sh|\baskeladden)( +(--?[a-z][a-z-]*|[A-Za-z0-9.:=/_-]+))*' "$file" |
    sed -E 's#^.*/askeladden#askeladden#' | sort -u)
}

# Expected output -> one extended regex a line; "..." stays as it is.
expected_to_regex() {
  awk '$0 == "..." { print; next }
    { gsub(/[][\\.^$*+?(){}|\/]/, "\\\\&"); gsub(/<[^>]*>/, ".*"); print "^" $0 "$" }'
}

# Do the actual lines ($2) match the expected patterns ($1), in order?
output_matches() {
  awk -v patterns="$1" '
    BEGIN { while ((getline p < patterns) > 0) pat[++m] = p; i = 1 }
    {
      while (i <= m && pat[i] == "...") { skip = 1; i++ }
      if (i <= m && $0 ~ pat[i]) { i++; skip = 0; next }
      if (!skip) { bad = 1; exit }
    }
    END {
      while (i <= m && pat[i] == "...") i++
      exit (bad || i <= m) ? 1 : 0
    }' "$2"
}

# Split the runnable blocks of a file into $work/N.sh (the commands) and,
# per command, $work/N.K.expected.
extract_blocks() {
  awk -v dir="$work" '
    /^<!-- runnable -->$/ { armed = 1; next }
    armed && /^```console$/ { block++; cmd = 0; inside = 1; armed = 0; next }
    inside && /^```$/ { inside = 0; next }
    inside && /^\$ / {
      cmd++
      printf "%s\n", substr($0, 3) > (dir "/" block "." cmd ".cmd")
      printf "" > (dir "/" block "." cmd ".expected")
      next
    }
    inside && cmd { print > (dir "/" block "." cmd ".expected") }
    !/^$/ { armed = 0 }' "$1"
}

run_block() {
  local file="$1" block="$2" n=1 cmd rc
  local actual="$work/actual" patterns="$work/patterns"
  # Each command runs in a shell of its own: what commands share lives
  # outside the shell (a container, a file), as it does for a reader.
  while [[ -f "$work/$block.$n.cmd" ]]; do
    cmd="$(cat "$work/$block.$n.cmd")"
    want_rc=0
    if last="$(tail -n 1 "$work/$block.$n.expected")" && [[ "$last" =~ ^\[exit\ ([0-9]+)\]$ ]]; then
      want_rc="${BASH_REMATCH[1]}"
      sed -i '$d' "$work/$block.$n.expected"
    fi
    rc=0
    bash -c "set -o pipefail; $cmd" >"$actual" 2>&1 </dev/null || rc=$?
    expected_to_regex <"$work/$block.$n.expected" >"$patterns"
    if ((rc != want_rc)); then
      fail "$file: '$cmd' exited $rc, not $want_rc"
      sed 's/^/      /' "$actual" | tail -n 15
    elif output_matches "$patterns" "$actual"; then
      pass "$file: $cmd"
    else
      fail "$file: '$cmd' printed something else than the post says"
      diff <(cat "$work/$block.$n.expected") "$actual" | sed 's/^/      /' | head -n 30 || true
    fi
    n=$((n + 1))
  done
}

run_file_blocks() {
  local file="$1" block
  rm -f "$work"/*.cmd "$work"/*.expected
  extract_blocks "$file"
  block=1
  while [[ -f "$work/$block.1.cmd" ]]; do
    run_block "$file" "$block"
    block=$((block + 1))
  done
}

for file in "${files[@]}"; do
  [[ -f "$file" ]] || usage_error "no such file: $file"
  step "checking $file"
  check_links "$file"
  check_make_targets "$file"
  check_scripts_and_flags "$file"
  ((run_blocks)) && run_file_blocks "$file"
done
checks_summary docs
