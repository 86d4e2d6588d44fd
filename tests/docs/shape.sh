# The posts' shape: short enough to finish, the commands in the order a
# reader types them, a supported microk8s, and the source of their blocks
# said. Sourced by tests/docs_test.sh.
# shellcheck shell=bash
# pass and fail come from the driver.

# Words, blocks included (wc -w), as a reader meets them.
declare -A POST_MAX_WORDS=([docs/01-fat-image.md]=2000 [docs/02-slim-image.md]=2900)
# The microk8s release the posts pin and show: one Kubernetes still supports
# (https://kubernetes.io/releases/ lists them; 1.34 and 1.35 in December 2026).
MICROK8S_RELEASE=1.35

check_post_words() {
  local file="$1" max words
  max="${POST_MAX_WORDS[$file]:-}"
  [[ -n "$max" ]] || return 0
  words="$(wc -w <"$file")"
  if ((words <= max)); then pass "$file has $words words, $max at most"
  else fail "$file has $words words, $max at most"; fi
}

# A `get pods -w` watch is started before the apply whose rollout it shows:
# its first mention comes before the last `$ mk apply` ahead of its output.
check_watch_order() {
  local file="$1" watch output apply
  output="$(awk '/^\$ mk get pods .*-w$/ { print NR; exit }' "$file")"
  [[ -n "$output" ]] || return 0
  watch="$(awk '/mk get pods .*-w$/ { print NR; exit }' "$file")"
  apply="$(awk -v end="$output" 'NR < end && /^\$ mk apply / { n = NR } END { print n }' "$file")"
  if [[ -z "$apply" ]]; then fail "$file: its watch shows no apply before it"
  elif ((watch < apply)); then pass "$file: the watch (line $watch) is started before the apply (line $apply)"
  else fail "$file: the watch (line $watch) comes after the apply it shows (line $apply)"; fi
}

# Every microk8s release a page pins or quotes is the supported one.
check_microk8s_release() {
  local file="$1" release
  while IFS= read -r release; do
    if [[ "$release" == "$MICROK8S_RELEASE" ]]; then pass "$file: microk8s $release is the supported release it pins"
    else fail "$file names microk8s $release, not the supported $MICROK8S_RELEASE"; fi
  done < <(grep -oE -- '--channel=[0-9]+\.[0-9]+|microk8s [0-9]+\.[0-9]+' "$file" | grep -oE '[0-9]+\.[0-9]+$' || true)
}

# A page with blocks says when and on what they were captured, and what an
# illustrative block is.
check_capture_said() {
  local file="$1" text
  grep -qE '^```console$' "$file" || return 0
  text="$(prose "$file" | tr '\n' ' ' | tr -s ' ')"
  if grep -qE 'captured [^.]*(20[0-9]{2})[^.]*Docker [0-9]+\.[0-9]+[^.]*Kubernetes 1\.20\.2' <<<"$text"; then
    pass "$file says when, and on which Docker and Kubernetes, its blocks were captured"
  else fail "$file does not say when, and on which Docker and Kubernetes, its blocks were captured"; fi
}

check_post_shape() {
  local file="$1"
  [[ "$file" == docs/0* ]] || return 0
  check_post_words "$file"
  check_watch_order "$file"
  check_microk8s_release "$file"
  check_capture_said "$file"
}
