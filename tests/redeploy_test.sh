#!/usr/bin/env bash
# Usage: tests/redeploy_test.sh [--help]
#
# Tests for scripts/redeploy.sh, pushing to a real docker-registry of the
# test's own on a free loopback port (started with scripts/registry.sh):
#   errors   bad usage (a snapshot, --timeout, --node), no engine, registry
#            down, no cluster: one clear line within seconds, nothing pushed
#   render   --render pushes both tags, the registry serves them at the digest
#            the script printed, the printed manifests (the overlay's, through
#            kubectl kustomize) pin it (--image, v0.1, the default build path,
#            --no-build, the default registry)
#   rollout  how it reads a rollout (tests/redeploy/fail_fast.sh), on
#            Kubernetes' own objects
#   Ctrl-C   typed in a pseudo-terminal (tests/redeploy/interrupts.sh) while
#            it waits for the lock: exit 130 and one line, nothing pushed
#   cluster  the full redeploy, building and with --no-build, with --node and
#            --timeout, a wrong --node, and a bad rollout: rolled back, the
#            old pods serving, the post's tag left where it was. Ctrl-C just
#            before the apply (the Deployment unchanged) and during a rollout
#            (rolled back at once). Failing fast: a crash loop, an invalid
#            image name, a missing ConfigMap and an image that cannot be
#            pulled, each rolled back within 30 s of the first event that
#            showed it. For real, when a cluster answers
#            (tests/cluster_test.sh starts one and runs this), skipped loudly
#            otherwise
#
# The checks read what redeploy.sh printed (its git tag, its digest, its
# kubectl) and compare it with what the registry and Docker hold.
# Needs a Docker engine, docker-registry, kubectl, yq, jq and curl: `make
# test-redeploy` installs and starts them. Closes with "redeploy: N passed,
# N failed, N skipped"; exits 1 on a failure.

# The jq programs in single quotes name jq's $variables, not the shell's.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"
# shellcheck source=scripts/redeploy/rollout.sh
source "$ASKELADDEN_ROOT/scripts/redeploy/rollout.sh"
# shellcheck source=tests/redeploy/interrupts.sh
source "$ASKELADDEN_ROOT/tests/redeploy/interrupts.sh"
# shellcheck source=tests/redeploy/fail_fast.sh
source "$ASKELADDEN_ROOT/tests/redeploy/fail_fast.sh"

accept_only_help "$@"
require_cmd docker jq yq curl

REDEPLOY="$ASKELADDEN_ROOT/scripts/redeploy.sh"
REGISTRY_SH="$ASKELADDEN_ROOT/scripts/registry.sh"
MANIFEST_TYPES='application/vnd.docker.distribution.manifest.v2+json,application/vnd.oci.image.manifest.v1+json'

# What redeploy.sh --json printed: one object on stdout; with --render the
# manifests are its "manifests".
printed() { jq -r "$1 // empty" "$CAPTURED/out"; }
rendered_json() { printed .manifests | yq -c 'select(. != null)'; }
rendered_image() { rendered_json | jq -r 'select(.kind == "Deployment") | .spec.template.spec.containers[0].image'; }
tags_of() { curl -fsS --max-time 5 "http://$1/v2/askeladden/tags/list" 2>/dev/null | jq -c '.tags // [] | sort' || echo '[]'; }
catalog_of() { curl -fsS --max-time 5 "http://$1/v2/_catalog" | jq -c '.repositories'; }
local_tags_of() { docker images --format '{{.Repository}}:{{.Tag}}' "$1/askeladden"; }
# local_refs_of REGISTRY: every tag and digest by which the engine knows an
# image pushed there. An image whose tag moved on is still known by its
# digest, and stays until that goes too.
local_refs_of() {
  docker images --digests --format '{{.Repository}}:{{.Tag}} {{.Repository}}@{{.Digest}}' "$1/askeladden" |
    tr ' ' '\n' | grep -v -e ':<none>$' -e '@<none>$' | sort -u
}
printed_git_tag() { printed .git_tag; }
# printed_digest REGISTRY: the digest of the image it pinned, from REGISTRY.
printed_digest() { jq -r --arg p "$1/askeladden@" '.image // "" | select(startswith($p)) | ltrimstr($p)' "$CAPTURED/out"; }
printed_kubectl() { printed .kubectl; }
# served_digest REGISTRY REF: the sha256 of the manifest the registry serves
# for askeladden:REF, the content's own digest.
served_digest() {
  printf 'sha256:%s' "$(curl -fsS --max-time 5 -H "Accept: $MANIFEST_TYPES" \
    "http://$1/v2/askeladden/manifests/$2" | sha256sum | cut -d' ' -f1)"
}
pushed_by_docker() { docker image inspect --format '{{join .RepoDigests "\n"}}' "$1" | grep -qxF "$2"; }

# --- Fixtures ------------------------------------------------------------------

CAPTURED="$(mktemp -d)"
TEST_PORT="$(free_port)"
TEST_REGISTRY="127.0.0.1:$TEST_PORT"
THROWAWAY="askeladden-redeploy-test:$$"
CRASHER='' SLEEPER='' UNPULLABLE='' CLUSTER=0
# The test registry's state, and redeploy.sh's build logs, stay out of the real ones.
export ASKELADDEN_STATE="$CAPTURED/state"

cleanup() {
  "$REGISTRY_SH" --port "$TEST_PORT" stop >/dev/null 2>&1 || true
  local refs
  mapfile -t refs < <(local_refs_of "$TEST_REGISTRY" 2>/dev/null; printf '%s\n' "$THROWAWAY" $CRASHER $SLEEPER $UNPULLABLE)
  docker rmi "${refs[@]}" >/dev/null 2>&1 || true
  rm -rf "$CAPTURED"
}
trap cleanup EXIT

# A tiny image of one file: what redeploy.sh pushes is the same for any image.
mkdir -p "$CAPTURED/image"
echo "askeladden redeploy test $$" >"$CAPTURED/image/hello.txt"
tar -C "$CAPTURED/image" -c . | docker import - "$THROWAWAY" >/dev/null ||
  die "could not create the test image $THROWAWAY (no Docker engine? start one: scripts/setup.sh docker)"
"$REGISTRY_SH" --port "$TEST_PORT" start >/dev/null 2>&1 ||
  die "could not start a test registry on $TEST_REGISTRY with scripts/registry.sh"

printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: nowhere\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: nobody\n  user: {token: none}\ncontexts:\n- name: nowhere\n  context: {cluster: nowhere, user: nobody}\ncurrent-context: nowhere\n' >"$CAPTURED/kubeconfig"

# --- Errors --------------------------------------------------------------------

# A usage error: exit 2 and one line that names the culprit.
expect_usage_error() {
  local words="$1"
  shift
  capture "$REDEPLOY" "$@"
  check "redeploy.sh $*: exit 2, one line naming '$words'" \
    test "$RC" -eq 2 -a "$(err_lines)" -eq 1 -a -n "$(grep -F -- "$words" "$CAPTURED/err")"
}

test_bad_usage() {
  expect_usage_error "unknown snapshot 'v9.9'" v9.9
  expect_usage_error "--timeout needs a number of seconds, not 'soon'" --timeout soon
  expect_usage_error "--timeout needs a number of seconds, not '0'" --timeout=0
  expect_usage_error "--timeout needs a value" --render --timeout
  expect_usage_error "--node needs a host name or IPv4 address, not 'a node'" --node 'a node'
  expect_usage_error "--node needs a host name or IPv4 address, not ''" --node=
  expect_usage_error "--node needs a value" --render --node
}

# An error path: exit 1, one line naming the problem, within seconds, nothing
# pushed to or tagged for the test registry.
expect_clean_failure() {
  local name="$1" words="$2"
  check_eq "$name: exits 1" 1 "$RC"
  check "$name: one line: '$words'" test "$(err_lines)" -eq 1 -a -n "$(grep -F -- "$words" "$CAPTURED/err")"
  check "$name: within 10 s" test "$ELAPSED" -le 10
  check_eq "$name: nothing pushed" '[]' "$(catalog_of "$TEST_REGISTRY")"
  check_eq "$name: nothing tagged" "" "$(local_tags_of "$TEST_REGISTRY")"
}

test_no_engine() {
  capture env DOCKER_HOST="unix://$CAPTURED/no-docker.sock" "$REDEPLOY" --render --image "$THROWAWAY" --registry "$TEST_REGISTRY"
  expect_clean_failure "no engine" "no Docker engine answers"
}

test_registry_down() {
  local port
  port="$(free_port)"
  capture "$REDEPLOY" --render --image "$THROWAWAY" --registry "127.0.0.1:$port"
  expect_clean_failure "registry down" "no registry answers at http://127.0.0.1:$port/v2/"
}

# --timeout and --node are accepted, and the check of the cluster still fails first.
test_no_cluster() {
  capture env KUBECTL=kubectl KUBECONFIG="$CAPTURED/kubeconfig" "$REDEPLOY" --image "$THROWAWAY" \
    --registry "$TEST_REGISTRY" --timeout 30 --node localhost
  expect_clean_failure "no cluster" "no Kubernetes cluster answers to 'kubectl' at https://127.0.0.1:1"
  capture env KUBECTL="$CAPTURED/no-such-kubectl" "$REDEPLOY" --json --image "$THROWAWAY" --registry "$TEST_REGISTRY"
  expect_clean_failure "no kubectl" "'$CAPTURED/no-such-kubectl' is not installed"
  check_eq "no kubectl: --json still prints its object: exit 1, no digest" '1 null' \
    "$(jq -r '"\(.exit) \(.digest)"' "$CAPTURED/out")"
}

test_dry_run() {
  capture "$REDEPLOY" --dry-run --render --image "$THROWAWAY" --registry "$TEST_REGISTRY"
  check "--dry-run --render: exits 0 and prints the plan" test "$RC" -eq 0 -a -n "$(grep -F 'push:' "$CAPTURED/err")"
  check_eq "--dry-run: nothing pushed" '[]' "$(catalog_of "$TEST_REGISTRY")"
  check_eq "--dry-run: nothing tagged" "" "$(local_tags_of "$TEST_REGISTRY")"
}

# --- Render ----------------------------------------------------------------------

# expect_pinned NAME IMAGE REGISTRY POST_TAG: the run pushed IMAGE as the git
# tag it printed and POST_TAG, at the digest it printed, and pinned that.
expect_pinned() {
  local name="$1" image="$2" registry="$3" post_tag="$4" git_tag digest
  git_tag="$(printed_git_tag)" digest="$(printed_digest "$registry")"
  check_eq "$name: exits 0" 0 "$RC"
  check_eq "$name: --json prints one object on stdout, its exit 0" "1 0" "$(jq -s -r '[length, .[0].exit] | join(" ")' "$CAPTURED/out")"
  check "$name: one progress line per step [1/4]..[4/4]" test "$(grep -c '\[[1-4]/4\]' "$CAPTURED/err")" -eq 4
  check "$name: git tag $git_tag is a commit of this repository" \
    bash -c '[[ "$1" =~ ^([0-9a-f]{7,})(-dirty)?$ ]] && git -C "$2" rev-parse HEAD | grep -q "^${BASH_REMATCH[1]}"' _ "$git_tag" "$ASKELADDEN_ROOT"
  check "$name: the registry lists $git_tag and $post_tag" \
    json_contains "$(tags_of "$registry")" "$git_tag" "$post_tag"
  check_eq "$name: the manifests pin the printed digest" "$registry/askeladden@$digest" "$(rendered_image)"
  check "$name: Docker pushed $image at that digest" pushed_by_docker "$image" "$registry/askeladden@$digest"
  check_eq "$name: both tags serve that digest" "$digest $digest" \
    "$(served_digest "$registry" "$post_tag") $(served_digest "$registry" "$git_tag")"
}
json_contains() { jq -e --arg a "$2" --arg b "$3" 'index($a) != null and index($b) != null' <<<"$1" >/dev/null; }

test_render_pushes_and_pins() {
  local before json dep digest
  before="$(sha256sum "$ASKELADDEN_ROOT"/v0.2/k8s/*)"
  capture "$REDEPLOY" --json --render --image "$THROWAWAY" --registry "$TEST_REGISTRY"
  expect_pinned "render --image" "$THROWAWAY" "$TEST_REGISTRY" slim
  check_eq "render: the registry lists exactly those two tags" \
    "$(jq -c -n --arg a "$(printed_git_tag)" '[$a, "slim"] | sort')" "$(tags_of "$TEST_REGISTRY")"
  json="$(rendered_json)" digest="$(printed_digest "$TEST_REGISTRY")"
  dep="$(jq -c 'select(.kind == "Deployment")' <<<"$json")"
  check_eq "render: namespace askeladden-dev on every object" '["askeladden-dev"]' \
    "$(jq -s -c 'map(.metadata.namespace // .metadata.name) | unique' <<<"$json")"
  check_eq "render: NodePort 30008" 30008 "$(jq -s -r 'map(select(.kind == "Service"))[0].spec.ports[0].nodePort' <<<"$json")"
  check "render: change cause names the digest" jq -e --arg d "$digest" \
    '.metadata.annotations["kubernetes.io/change-cause"] | contains($d)' <<<"$dep"
  check "render: restricted securityContext kept" jq -e '.spec.template.spec.securityContext.runAsUser == 10001' <<<"$dep"
  check_eq "render: the tracked manifests are unchanged" "$before" "$(sha256sum "$ASKELADDEN_ROOT"/v0.2/k8s/*)"
}

test_render_v0_1() {
  capture "$REDEPLOY" --json --render --image "$THROWAWAY" --registry "$TEST_REGISTRY" v0.1
  expect_pinned "render v0.1" "$THROWAWAY" "$TEST_REGISTRY" registry
  check "render v0.1: v0.1's Deployment, without post 2's securityContext" \
    jq -e -s 'map(select(.kind == "Deployment"))[0].spec.template.spec.securityContext == null' <(rendered_json)
}

base_images_missing() { ! image_exists gcc:12 || ! image_exists debian:bookworm-slim; }

# No --image, no --no-build: base-images.sh, then make -C v0.2 image, then
# the image just built is what is pushed.
test_render_builds_by_default() {
  if base_images_missing; then
    check_skip "render, building askeladden:v0.2" "no base images gcc:12 and debian:bookworm-slim (make images)"
    return 0
  fi
  capture "$REDEPLOY" --json --render --registry "$TEST_REGISTRY"
  check "build: [2/4] says it builds askeladden:v0.2" said "[2/4] building askeladden:v0.2"
  check "build: make image's output is in the build log" \
    grep -q 'askeladden:v0.2' "$ASKELADDEN_STATE/redeploy-build.log"
  expect_pinned "build" askeladden:v0.2 "$TEST_REGISTRY" slim
}

test_render_no_build() {
  if ! image_exists askeladden:v0.2; then
    check_skip "render --no-build" "no image askeladden:v0.2 (make images)"
    return 0
  fi
  local id
  id="$(docker image inspect -f '{{.Id}}' askeladden:v0.2)"
  rm -f "$ASKELADDEN_STATE/redeploy-build.log"
  capture "$REDEPLOY" --json --render --no-build --registry "$TEST_REGISTRY"
  check "--no-build: [2/4] says it uses the local image" said "[2/4] not building: using the local image askeladden:v0.2"
  check "--no-build: no build ran" test ! -e "$ASKELADDEN_STATE/redeploy-build.log"
  check_eq "--no-build: askeladden:v0.2 is the same image" "$id" "$(docker image inspect -f '{{.Id}}' askeladden:v0.2)"
  expect_pinned "--no-build" askeladden:v0.2 "$TEST_REGISTRY" slim
}

# What a fresh machine runs: the default registry, the real image.
test_render_default_registry() {
  local why=
  registry_answers localhost:32000 || why="no registry answers on localhost:32000 (scripts/registry.sh start)"
  image_exists askeladden:v0.2 || why="no image askeladden:v0.2 (make images)"
  if [[ -n "$why" ]]; then
    check_skip "render with the defaults" "$why"
    return 0
  fi
  capture env -u REGISTRY "$REDEPLOY" --json --render --no-build
  expect_pinned "render with the defaults" askeladden:v0.2 localhost:32000 slim
}

# --- One run at a time ------------------------------------------------------------

# Two runs at once. The first holds the lock while it is blocked writing its
# first progress line to a pipe the test has filled, so the second meets it
# for certain; draining the pipe lets the first go on.
test_one_run_at_a_time() {
  local first second
  local args=(--render --image "$THROWAWAY" --registry "$TEST_REGISTRY")
  fill_pipe "$CAPTURED/first.fifo"
  "$REDEPLOY" "${args[@]}" >/dev/null 2>"$CAPTURED/first.fifo" &
  first=$!
  if ! wait_until 20 "" lock_held redeploy; then
    check_fail "two at once: the first run never took the lock"
    kill "$first" 2>/dev/null || true
    exec 8>&-
    return 0
  fi
  capture "$REDEPLOY" --no-wait "${args[@]}"
  check_eq "two at once: the second, --no-wait, exits 1" 1 "$RC"
  check "two at once: in one line naming the first's pid and command" test "$(err_lines)" -eq 1 -a \
    -n "$(grep -F "holds the lock (pid $first: bash $REDEPLOY --render" "$CAPTURED/err")"
  "$REDEPLOY" "${args[@]}" >/dev/null 2>"$CAPTURED/second.err" &
  second=$!
  check "two at once: the second, waiting, names the first" \
    wait_until 20 "" grep -qF "waiting for another redeploy run, which holds the lock (pid $first:" "$CAPTURED/second.err"
  check_eq "two at once: and has not begun while the first holds the lock" 0 "$(grep -cF '[1/4]' "$CAPTURED/second.err")"
  finish_two_runs "$first" "$second"
  check_eq "two at once: both succeed, one after the other" "0 0" "$RC_FIRST $RC_SECOND"
  check "two at once: the second ran its steps once the first was done" grep -qF "[4/4] verifying" "$CAPTURED/second.err"
}

# --- Cluster -------------------------------------------------------------------

deployment_field() { "${kubectl[@]}" -n askeladden-dev get deployment/deployment-askeladden-dev -o json | jq -c "$1"; }
deployed_image() { deployment_field '.spec.template.spec.containers[0].image' | jq -r .; }
# post_tags: what :slim names in the default registry and in the test's.
post_tags() { printf '%s %s\n' "$(served_digest localhost:32000 slim)" "$(served_digest "$TEST_REGISTRY" slim)"; }

# test_cluster_redeploy: the redeploys; sets kubectl, GOOD_IMAGE (what is
# deployed at the end) and CLUSTER (1: a cluster answered).
test_cluster_redeploy() {
  local image slim
  # The dry run checks the cluster as the real run does, and names its kubectl.
  capture env -u REGISTRY "$REDEPLOY" --json --dry-run --no-build
  if ((RC != 0)); then
    check_fail "cluster: redeploy.sh --dry-run reaches the cluster" "$(tail -n 1 "$CAPTURED/err"); apply, rollout, smoke test, Ctrl-C and failing fast NOT tested"
    return 0
  fi
  CLUSTER=1
  find_kubectl || true
  kubectl=("${KUBECTL_CMD[@]}")
  check_eq "cluster: the dry run names find_kubectl's kubectl" "${kubectl[*]}" "$(printed_kubectl)"
  info "cluster: redeploying through '${kubectl[*]}'${KUBECONFIG:+ with KUBECONFIG=$KUBECONFIG}"
  # The default path: build, push, apply, wait, move the post's tag, smoke test.
  capture env -u REGISTRY "$REDEPLOY" --json --timeout 180
  check_eq "cluster: redeploy (building) exits 0" 0 "$RC"
  check "cluster: it built askeladden:v0.2" said "[2/7] building askeladden:v0.2"
  check_eq "cluster: the deployment is pinned by the printed digest" \
    "localhost:32000/askeladden@$(printed_digest localhost:32000)" "$(deployed_image)"
  check_eq "cluster: :slim moved to that digest after the rollout" "$(printed_digest localhost:32000)" \
    "$(served_digest localhost:32000 slim)"
  check "cluster: the smoke test passed" said "is live at http://127.0.0.1:30008/"
  check_eq "cluster: --json: not rolled back, the URL it smoke-tested" "false http://127.0.0.1:30008/" \
    "$(jq -r '"\(.rolled_back) \(.url)"' "$CAPTURED/out")"
  check "cluster: --json: revision_after is past revision_before" \
    jq -e '.revision_after > (.revision_before // 0)' "$CAPTURED/out"
  capture env -u REGISTRY "$REDEPLOY" --json --no-build --timeout 170 --node localhost
  check_eq "cluster: redeploy --no-build exits 0" 0 "$RC"
  check "cluster: the rollout waited up to --timeout" said "waiting for the rollout (up to 170s)"
  check "cluster: it smoke-tested --node" said "is live at http://localhost:30008/"
  check "cluster: /healthz answers on the NodePort" curl -fsS --max-time 5 http://127.0.0.1:30008/healthz
  image="$(deployed_image)"
  check_eq "cluster: deployment pinned by the printed digest" "localhost:32000/askeladden@$(printed_digest localhost:32000)" "$image"
  check "cluster: rollout history records the cause" \
    grep -qF "redeploy.sh v0.2: askeladden:slim, git $(printed_git_tag), localhost:32000/askeladden@$(printed_digest localhost:32000)" \
    <("${kubectl[@]}" -n askeladden-dev rollout history deployment/deployment-askeladden-dev)
  capture env -u REGISTRY "$REDEPLOY" --json --no-build --node no-such-node.invalid
  check "cluster: a wrong --node fails the smoke test, naming it" said "http://no-such-node.invalid:30008/ does not answer"
  # An image that cannot start: the rollout must fail within --timeout, be
  # explained and undone, and the post's tag must not name it.
  slim="$(served_digest localhost:32000 slim)"
  capture env -u REGISTRY "$REDEPLOY" --json --image "$THROWAWAY" --timeout 30
  check_eq "cluster: a bad image fails the redeploy" 1 "$RC"
  check "cluster: within --timeout 30 and the rollback" test "$ELAPSED" -le 150
  check "cluster: it says why: the events and the pods" said "recent events in askeladden-dev"
  check "cluster: and it was rolled back" said "was rolled back"
  check_eq "cluster: --json says so: rolled_back, exit 1" "true 1" "$(jq -r '"\(.rolled_back) \(.exit)"' "$CAPTURED/out")"
  # Its entrypoint is not there: the container crashes at every start.
  check_eq "cluster: --json: it failed fast, as a crash loop, before --timeout" CrashLoopBackOff "$(printed .failure)"
  check_eq "cluster: the deployment runs the good image again" "$image" "$(deployed_image)"
  check "cluster: the old pods still serve" curl -fsS --max-time 5 -o /dev/null http://127.0.0.1:30008/
  check_eq "cluster: :slim still names the good image in the registry" "$slim" "$(served_digest localhost:32000 slim)"
  # The bad push moved the git tag: point it at the good image again.
  capture env -u REGISTRY "$REDEPLOY" --json --no-build --timeout 180
  check_eq "cluster: redeploying the good image restores the git tag" 0 "$RC"
  GOOD_IMAGE="$(deployed_image)"
}

test_cluster_faults() {
  if ! fault_images; then
    check_fail "cluster: the fault images build from debian:bookworm-slim" "Ctrl-C during a rollout and failing fast NOT tested"
    return 0
  fi
  write_fault_kubectl
  test_interrupt_before_apply
  test_interrupt_during_rollout
  test_fail_fast
}

test_bad_usage
test_no_engine
test_registry_down
test_no_cluster
test_dry_run
test_render_pushes_and_pins
test_render_v0_1
test_render_builds_by_default
test_render_no_build
test_render_default_registry
test_one_run_at_a_time
test_rollout_state
test_interrupt_waiting_for_lock
test_cluster_redeploy
if ((CLUSTER)); then test_cluster_faults; fi
checks_summary redeploy
