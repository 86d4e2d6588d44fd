# What the pages mention must exist: links, make targets, scripts and their
# flags, and a script's option list must be complete. Sourced by
# tests/docs_test.sh.
# shellcheck shell=bash

# Markdown outside code blocks, to read prose links from.
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

# `make TARGET --flag` would hand the flag to make, not to a script.
check_make_targets() {
  local file="$1" line dir target
  while IFS= read -r line; do
    dir=. target="${line##* }"
    [[ "$line" =~ -C\ ([^ ]+)\  ]] && dir="${BASH_REMATCH[1]}"
    if make_target_exists "$dir" "$target"; then pass "$file: make ${line#make }"
    else fail "$file mentions '$line', but $dir/Makefile has no target '$target'"; fi
  done < <(grep -oE '\bmake( -C [a-z0-9./]+)? [a-z][a-z0-9-]*' "$file" |
    grep -vE ' (sure|a|the|it|them|one|that|this|your)$' | sort -u)
  if grep -qE '`make [a-z-]+ --[a-z]' "$file"; then
    fail "$file gives a --flag to a make target: $(grep -oE '`make [a-z-]+ --[a-z-]+' "$file" | head -n 1)"
  fi
}

help_text() {
  case "$1" in
    askeladden) v0.2/askeladden --help ;;
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

# A paragraph "`SCRIPT --help` lists the options: ..." names every option
# the --help lists, and no other.
check_option_lists() {
  local file="$1" para script listed documented
  while IFS= read -r para; do
    script="$(grep -oE '(scripts/[a-z-]+\.sh|askeladden) --help` lists the options' <<<"$para" | head -n 1)"
    script="${script%% *}"
    listed="$(grep -oE -- '--[a-z][a-z-]*' <<<"${para#*lists the options}" | grep -vx -- --help | sort -u)"
    documented="$(help_text "$script" 2>&1 | grep -oE -- '^ *(-[a-z], )?--[a-z][a-z-]*' |
      grep -oE -- '--[a-z-]+' | grep -vxE -- '--(help|version)' | sort -u)"
    if [[ "$listed" == "$documented" ]]; then pass "$file: the options of $script are all listed"
    else fail "$file: the options listed for $script are not those of its --help" \
      "listed: $(tr '\n' ' ' <<<"$listed"); --help: $(tr '\n' ' ' <<<"$documented")"; fi
  done < <(awk 'BEGIN { RS = "" } /--help` lists the options/ { gsub(/\n/, " "); print }' "$file")
}
