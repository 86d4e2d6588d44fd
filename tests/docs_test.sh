#!/usr/bin/env bash
# Usage: tests/docs_test.sh [--help] [--no-run] [FILE.md...]
#
# Keep the posts honest. For README.md and every page in docs/ (or the FILEs
# given):
#   - every relative link points at a file that exists;
#   - every `make TARGET` mentioned is a target of the Makefile it names;
#   - every script mentioned exists and answers --help, every --flag written
#     after it (or after `askeladden`) is in that --help, and a list of "the
#     options" of a script names all of them;
#   - every block marked runnable runs, and prints what the post shows
#     (tests/docs/blocks.sh: what varies from run to run is masked);
#   - every line of a block marked illustrative is one that our scripts or
#     kubectl can print (tests/docs/illustrative.sh);
#   - a post is at most its number of words, starts a watch before the
#     apply it shows, pins a supported microk8s, and says when and on what
#     its blocks were captured (tests/docs/shape.sh).
# Then the figures (tests/docs/figures.sh): drawn from their sources, shown
# in a post, and stating the numbers of the manifests, of the compare-sizes
# report and of the post's block they illustrate. README.md stays under
# 1,200 words.
#
# The runnable blocks build the images, run containers on port 8080 and push
# to the registry on localhost:32000 (make test-docs starts one). Blocks
# marked <!-- runnable: cluster --> need a Kubernetes cluster: the one
# find_kubectl (common/lib.sh) picks (KUBECTL, KUBECONFIG, microk8s, ...), or
# when none answers the one scripts/cluster.sh starts, stopped again at the end. They start
# from no askeladden-dev namespace, and post 2's follow post 1's.
#
# --no-run   check links, targets, scripts, flags, illustrative lines and
#            figures, but run no block.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"
# shellcheck source=tests/docs/blocks.sh
source "$ASKELADDEN_ROOT/tests/docs/blocks.sh"
# shellcheck source=tests/docs/mentions.sh
source "$ASKELADDEN_ROOT/tests/docs/mentions.sh"
# shellcheck source=tests/docs/illustrative.sh
source "$ASKELADDEN_ROOT/tests/docs/illustrative.sh"
# shellcheck source=tests/docs/figures.sh
source "$ASKELADDEN_ROOT/tests/docs/figures.sh"
# shellcheck source=tests/docs/shape.sh
source "$ASKELADDEN_ROOT/tests/docs/shape.sh"

README_MAX_WORDS=1200
# The containers the posts start; left over when a run was interrupted.
POST_CONTAINERS=(askeladden-post1 askeladden-post2 askeladden-drain)

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
remove_post_containers() { docker rm -f "${POST_CONTAINERS[@]}" >/dev/null 2>&1 || true; }

# The cluster, found or started on the first block that needs it.
POST_NAMESPACE=askeladden-dev
CLUSTER_KUBECTL=()
cluster_state=unknown cluster_started=0
cluster_ready() {
  case "$cluster_state" in ready) return 0 ;; missing) return 1 ;; esac
  cluster_state=missing
  if ! find_kubectl; then
    if [[ "$KUBECTL_FROM" == KUBECTL || "$KUBECTL_FROM" == KUBECONFIG ]]; then
      warn "no cluster answers to '${KUBECTL_CMD[*]}' (set by $KUBECTL_FROM)"
      return 1
    fi
    step "no cluster answers: starting one (scripts/cluster.sh start)"
    scripts/cluster.sh start >&2 || return 1
    cluster_started=1
    find_kubectl || return 1
  fi
  CLUSTER_KUBECTL=("${KUBECTL_CMD[@]}")
  info "cluster: ${CLUSTER_KUBECTL[*]}${KUBECONFIG:+ (KUBECONFIG=$KUBECONFIG)}"
  "${CLUSTER_KUBECTL[@]}" delete namespace "$POST_NAMESPACE" --ignore-not-found --timeout=120s >/dev/null 2>&1 || true
  cluster_state=ready
}
finish_cluster() {
  [[ "$cluster_state" == ready ]] || return 0
  "${CLUSTER_KUBECTL[@]}" delete namespace "$POST_NAMESPACE" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  if ((cluster_started)); then
    step "stopping the cluster this test started"
    scripts/cluster.sh stop >&2 || warn "scripts/cluster.sh stop failed"
  fi
}
trap 'remove_post_containers; finish_cluster; rm -rf "$work"' EXIT

pass() { check_pass "$*"; }
fail() { check_fail "$@"; }

if ((run_blocks)); then
  require_docker
  remove_post_containers
fi
for file in "${files[@]}"; do
  [[ -f "$file" ]] || usage_error "no such file: $file"
  step "checking $file"
  check_links "$file"
  check_make_targets "$file"
  check_scripts_and_flags "$file"
  check_option_lists "$file"
  check_illustrative "$file"
  check_post_shape "$file"
  ((run_blocks)) && run_file_blocks "$file"
done

step "checking the figures"
check_figures
words="$(wc -w <README.md)"
if ((words < README_MAX_WORDS)); then pass "README.md has $words words"
else fail "README.md has $words words, $README_MAX_WORDS at most"; fi
checks_summary docs
