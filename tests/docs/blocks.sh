# The posts' runnable blocks: run them as a reader would, and compare what
# they print with what the post shows. Sourced by tests/docs_test.sh.
# shellcheck shell=bash
# $work (the scratch directory), pass and fail come from the driver.
# shellcheck disable=SC2154
#
# A runnable block is a ```console block right after the line
# <!-- runnable -->. A line "$ CMD" starts a command, lines "> MORE" continue
# it (as the shell's second prompt shows), and the lines after it are its
# output. A block runs in one shell, top to bottom, from the repository root,
# as in one terminal: a function or variable set by one command is there for
# the next, and a function it defines is there in the post's later blocks
# too, as in a reader's terminal. Output is compared after tests/docs/masks.sed has replaced on
# both sides what differs from run to run (ids, digests, sizes, times,
# counts, and in a cluster's output pod names, ages and uids); a line "..."
# stands for any number of lines. Every command must exit 0, except the last
# one of a block marked <!-- runnable: exits N -->, which must exit N (diff
# exits 1 when files differ): the marker is not shown to a reader, whose
# shell prints no exit status. <!-- runnable: cluster --> (or "cluster,
# exits N") marks a block that needs the cluster.

DOCS_MASKS="$ASKELADDEN_ROOT/tests/docs/masks.sed"
# Long enough for a first make compare-sizes, which gzips 1.2 GB.
BLOCK_TIMEOUT=1200

mask() { sed -E -f "$DOCS_MASKS"; }

# Split the runnable blocks of $1 into $work/B.K.cmd and $work/B.K.expected.
extract_runnable() {
  awk -v dir="$work" '
    /^<!-- runnable(: (cluster|exits [0-9]+)(, (cluster|exits [0-9]+))?)? -->$/ {
      armed = 1; code = ""; cluster = ($0 ~ /cluster/)
      if (match($0, /exits [0-9]+/)) code = substr($0, RSTART + 6, RLENGTH - 6)
      next
    }
    armed && /^```console$/ {
      block++; cmd = 0; inside = 1; armed = 0
      if (cluster) printf "" > (dir "/" block ".cluster")
      next
    }
    inside && /^```$/ {
      inside = 0
      if (code != "" && cmd) print "[exit " code "]" > (out ".expected")
      next
    }
    inside && /^\$ / {
      cmd++; out = dir "/" block "." cmd
      print substr($0, 3) > (out ".cmd"); printf "" > (out ".expected"); next
    }
    inside && cmd && /^> / { print substr($0, 3) > (out ".cmd"); next }
    inside && cmd { print > (out ".expected") }
    !/^$/ { armed = 0 }' "$1"
}

# Expected output -> one extended regex a line, after masking; "..." stays.
expected_patterns() {
  mask | awk '$0 == "..." { print; next }
    { gsub(/[][\\.^$*+?(){}|\/]/, "\\\\&"); print "^" $0 "$" }'
}

# Do the actual lines ($2) match the patterns ($1), in order?
output_matches() {
  awk -v patterns="$1" '
    BEGIN { while ((getline p < patterns) > 0) pat[++m] = p; i = 1 }
    {
      while (i <= m && pat[i] == "...") { skip = 1; i++ }
      if (i <= m && $0 ~ pat[i]) { i++; skip = 0; next }
      if (!skip) { bad = 1; printf "line %d: %s\n", NR, $0; exit }
    }
    END {
      while (i <= m && pat[i] == "...") i++
      if (!bad && i <= m) printf "missing: %s\n", pat[i]
      exit (bad || i <= m) ? 1 : 0
    }' "$2"
}

# Readers build with BuildKit (Docker 23 and later with buildx, the default
# builder). Where the docker on the PATH has no buildx, a client older than
# 23 in /usr/bin (Debian's docker.io) builds with BuildKit under make image's
# DOCKER_BUILDKIT=1: the blocks use that one, so that they show what readers
# see. Prints the line that sets it, or nothing.
buildkit_docker_line() {
  local version
  docker buildx version >/dev/null 2>&1 && return 0
  version="$(/usr/bin/docker version --format '{{.Client.Version}}' 2>/dev/null)" || return 0
  [[ "${version%%.*}" =~ ^[0-9]+$ ]] && ((${version%%.*} < 23)) && echo 'export DOCKER=/usr/bin/docker'
  return 0
}

# A block marked <!-- runnable: cluster --> talks to the cluster through the
# post's `mk` alias (and `microk8s kubectl` in full where a command starts
# it): both become the kubectl that answers (cluster_kubectl, from the
# driver), in the block's shell.
# shellcheck disable=SC2016 # "$@" is for the block's shell to expand
cluster_lines() {
  local kube
  printf -v kube '%q ' "${CLUSTER_KUBECTL[@]}"
  [[ -z "${KUBECONFIG:-}" ]] || printf 'export KUBECONFIG=%q\n' "$KUBECONFIG"
  printf 'mk() { %s"$@"; }\n' "$kube"
  printf 'microk8s() { [[ $1 == kubectl ]] || return 1; shift; %s"$@"; }\n' "$kube"
}

# One shell script for block $1: each command's output and exit status go
# to files of their own, and the commands run in the script's own shell.
block_script() {
  local block="$1" n=1
  # A reader's shell: not inside make (whose make -C would say where it is).
  printf 'set -o pipefail\nunset MAKELEVEL MAKEFLAGS MFLAGS\ncd %q\n' "$ASKELADDEN_ROOT"
  buildkit_docker_line
  [[ ! -f "$work/$block.cluster" ]] || cluster_lines
  # The functions the post's earlier blocks defined.
  [[ ! -f "$work/functions.sh" ]] || printf '. %q\n' "$work/functions.sh"
  while [[ -f "$work/$block.$n.cmd" ]]; do
    printf '{\n%s\n} >%q 2>&1 </dev/null\necho $? >%q\n' \
      "$(cat "$work/$block.$n.cmd")" "$work/$block.$n.actual" "$work/$block.$n.rc"
    n=$((n + 1))
  done
}

check_command() {
  local file="$1" prefix="$2" cmd want_rc=0 rc last mismatch
  cmd="$(head -n 1 "$prefix.cmd")"
  if last="$(tail -n 1 "$prefix.expected")" && [[ "$last" =~ ^\[exit\ ([0-9]+)\]$ ]]; then
    want_rc="${BASH_REMATCH[1]}"
    sed -i '$d' "$prefix.expected"
  fi
  if [[ ! -f "$prefix.rc" ]]; then
    fail "$file: '$cmd' never ran (an earlier command of its block hung or ended the shell)"
    return
  fi
  rc="$(cat "$prefix.rc")"
  expected_patterns <"$prefix.expected" >"$prefix.patterns"
  mask <"$prefix.actual" >"$prefix.masked"
  if ((rc != want_rc)); then
    fail "$file: '$cmd' exited $rc, not $want_rc"
    sed 's/^/      /' "$prefix.actual" | tail -n 15
  elif mismatch="$(output_matches "$prefix.patterns" "$prefix.masked")"; then
    pass "$file: $cmd"
  else
    fail "$file: '$cmd' printed something else than the post shows" "first difference (masked), $mismatch"
    diff <(mask <"$prefix.expected") "$prefix.masked" | sed 's/^/      /' | head -n 30 || true
  fi
}

# Keep the functions block $1 defines (a command "NAME() {") for the next.
keep_functions() {
  local cmd
  for cmd in "$work/$1".*.cmd; do
    [[ -f "$cmd" ]] || continue
    if head -n 1 "$cmd" | grep -qE '^[A-Za-z_][A-Za-z0-9_]*\(\) *\{'; then cat "$cmd" >>"$work/functions.sh"; fi
  done
}

run_block() {
  local file="$1" block="$2" n=1
  if [[ -f "$work/$block.cluster" ]] && ! cluster_ready; then
    fail "$file: block $block needs a cluster, and none answers"
    return
  fi
  block_script "$block" >"$work/$block.sh"
  timeout "$BLOCK_TIMEOUT" bash "$work/$block.sh" || true
  keep_functions "$block"
  while [[ -f "$work/$block.$n.cmd" ]]; do
    check_command "$file" "$work/$block.$n"
    n=$((n + 1))
  done
}

# A reader copies these blocks: they wait for events (a reply, an exit), not
# for a guessed number of seconds. One check a page, naming what sleeps.
check_no_sleep() {
  local file="$1" cmd count=0 sleeping=()
  for cmd in "$work"/*.cmd; do
    [[ -f "$cmd" ]] || continue
    count=$((count + 1))
    grep -qwE 'sleep' "$cmd" && sleeping+=("'$(head -n 1 "$cmd" | cut -c 1-60)'")
  done
  if ((${#sleeping[@]} > 0)); then fail "$file: ${#sleeping[@]} of its $count commands wait with sleep: ${sleeping[*]}"
  else pass "$file: none of its $count commands waits for a fixed time"; fi
}

run_file_blocks() {
  local file="$1" block=1
  rm -f "$work"/[0-9]* "$work/functions.sh"
  extract_runnable "$file"
  check_no_sleep "$file"
  while [[ -f "$work/$block.1.cmd" ]]; do
    run_block "$file" "$block"
    block=$((block + 1))
  done
  ((block > 1)) || [[ "$file" != docs/0* ]] || fail "$file has no runnable block"
}
