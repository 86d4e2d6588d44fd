#!/usr/bin/env bash
# Usage: tests/redeploy_test.sh [--help]
#
# Tests for scripts/redeploy.sh, scripts/registry.sh and the k8s/ manifests.
#   manifests   offline: kubectl kustomize parses each snapshot's k8s/, the
#               objects carry what post 2 and an operator need, and v0.1 and
#               v0.2 differ only by post 2's changes; the image runs under the
#               Deployment's args, user and securityContext, and answers its
#               probes, then drains on SIGTERM (docker run, no cluster)
#   registry    a real docker-registry of the test's own, on a free loopback
#               port, started and stopped with scripts/registry.sh
#   errors      no engine, registry down, no cluster, bad usage: one clear
#               line within seconds, and nothing pushed
#   render      --render pushes both tags, the registry lists them at the
#               pushed digest, the printed manifests pin it
#   cluster     the full redeploy and a rolled-back bad rollout, for real,
#               when a cluster answers; skipped loudly otherwise
#
# Needs a Docker engine, docker-registry, kubectl, yq, jq and curl:
# `make test-redeploy` installs and starts them. Prints one line per check and
# closes with "redeploy: N passed, N failed, N skipped"; exits 1 on a failure.

# The jq programs in single quotes name jq's $variables, not the shell's.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

accept_only_help "$@"

TESTS=(
  test_help
  test_manifests_parse
  test_manifests_content
  test_snapshots_differ_by_post_2_only
  test_image_meets_manifest
  test_registry_start
  test_bad_usage
  test_no_engine
  test_registry_down
  test_no_cluster
  test_dry_run
  test_render_pushes_and_pins
  test_render_v0_1
  test_render_default_registry
  test_cluster_redeploy
  test_registry_stop
)

REDEPLOY="$ASKELADDEN_ROOT/scripts/redeploy.sh"
REGISTRY_SH="$ASKELADDEN_ROOT/scripts/registry.sh"
PASSED=0 FAILED=0 SKIPPED=0

# check NAME COMMAND...: one line, and on failure the command with its
# operands expanded and where it was asked.
check() {
  local name="$1"
  shift
  if "$@" >/dev/null 2>&1; then
    printf 'ok    %s\n' "$name"
    PASSED=$((PASSED + 1))
  else
    printf 'FAIL  %s\n      %s  (%s:%s)\n' "$name" "$*" "${BASH_SOURCE[1]##*/}" "${BASH_LINENO[0]}"
    FAILED=$((FAILED + 1))
  fi
}
skip() {
  skip_loudly "$1: $2"
  printf 'skip  %s: %s\n' "$1" "$2"
  SKIPPED=$((SKIPPED + 1))
}

# run COMMAND...: run it, keeping stdout, stderr, exit code and seconds taken.
run() {
  local start="$SECONDS"
  set +e
  "$@" >"$WORK/out" 2>"$WORK/err"
  RC=$?
  set -e
  ELAPSED=$((SECONDS - start))
}
lines() { wc -l <"$1" | tr -d ' '; }
contains() { grep -qF -- "$2" "$1"; }
json_has() { jq -e "$2" <<<"$1"; }

# A port nothing listens on, below the kernel's ephemeral range: a port in
# that range can be taken by any outgoing connection between check and use.
free_port() {
  local p low
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  for p in $(shuf -i 20000-$((low - 1)) -n 50); do
    port_open 127.0.0.1 "$p" || { echo "$p"; return 0; }
  done
  die "no free port found"
}

# The manifests as one JSON document per line.
k8s_json() { kubectl kustomize "$ASKELADDEN_ROOT/$1/k8s" | yq -c 'select(. != null)'; }
rendered_json() { yq -c 'select(. != null)' "$1"; }
tags_of() { curl -fsS --max-time 5 "http://$1/v2/askeladden/tags/list" 2>/dev/null | jq -c '.tags // [] | sort' || echo '[]'; }
catalog_of() { curl -fsS --max-time 5 "http://$1/v2/_catalog" | jq -c '.repositories'; }
local_tags_of() { docker images --format '{{.Repository}}:{{.Tag}}' "$1/askeladden"; }
# registry_digest REGISTRY REF: the digest the registry serves for askeladden:REF.
registry_digest() {
  curl -fsS --max-time 5 -o /dev/null -D - \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json,application/vnd.oci.image.manifest.v1+json' \
    "http://$1/v2/askeladden/manifests/$2" | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: *//p'
}
expected_git_tag() {
  local sha
  sha="$(git -C "$ASKELADDEN_ROOT" rev-parse --short HEAD)"
  if [[ -n "$(git -C "$ASKELADDEN_ROOT" status --porcelain)" ]]; then echo "$sha-dirty"; else echo "$sha"; fi
}
cluster_reachable() {
  local kubectl
  kubectl="${KUBECTL:-$(have microk8s && echo 'microk8s kubectl' || echo kubectl)}"
  # shellcheck disable=SC2086 # KUBECTL may be a command with arguments
  timeout 10 $kubectl version --request-timeout=5s >/dev/null 2>&1
}

# --- Fixtures ------------------------------------------------------------------

WORK="$(mktemp -d)"
TEST_PORT="$(free_port)"
TEST_REGISTRY="127.0.0.1:$TEST_PORT"
THROWAWAY="askeladden-redeploy-test:$$"
# The test registry's state stays out of the real one's.
export ASKELADDEN_STATE="$WORK/state"

cleanup() {
  "$REGISTRY_SH" --port "$TEST_PORT" stop >/dev/null 2>&1 || true
  local refs
  mapfile -t refs < <(local_tags_of "$TEST_REGISTRY" 2>/dev/null; echo "$THROWAWAY")
  docker rmi "${refs[@]}" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# A tiny image of one file: what redeploy.sh pushes is the same for any image.
mkdir -p "$WORK/image"
echo "askeladden redeploy test $$" >"$WORK/image/hello.txt"
tar -C "$WORK/image" -c . | docker import - "$THROWAWAY" >/dev/null ||
  die "could not create the test image $THROWAWAY (is a Docker engine running? make test-redeploy starts one)"

printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: nowhere\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: nobody\n  user: {token: none}\ncontexts:\n- name: nowhere\n  context: {cluster: nowhere, user: nobody}\ncurrent-context: nowhere\n' >"$WORK/kubeconfig"

# --- Tests -----------------------------------------------------------------------

test_help() {
  local s
  for s in scripts/redeploy.sh scripts/registry.sh tests/redeploy_test.sh; do
    run "$ASKELADDEN_ROOT/$s" --help
    check "$s --help prints its usage" test "$RC" -eq 0 -a "$(head -c 6 "$WORK/out")" = "Usage:"
  done
  if have shellcheck; then
    check "shellcheck: redeploy.sh, registry.sh, this test" \
      shellcheck -x "$REDEPLOY" "$REGISTRY_SH" "$ASKELADDEN_ROOT/tests/redeploy_test.sh"
  else
    skip "shellcheck" "shellcheck is not installed (scripts/setup.sh build)"
  fi
}

test_manifests_parse() {
  local v
  for v in v0.1 v0.2; do
    run kubectl kustomize "$ASKELADDEN_ROOT/$v/k8s"
    check "$v/k8s: kubectl kustomize parses it" test "$RC" -eq 0
    check "$v/k8s: three objects, as YAML" test "$(rendered_json "$WORK/out" | jq -s -c 'map(.kind)')" = '["Namespace","Service","Deployment"]'
  done
}

test_manifests_content() {
  local v json ns svc dep tag c
  for v in v0.1 v0.2; do
    json="$(k8s_json "$v")"
    ns="$(jq -c 'select(.kind == "Namespace")' <<<"$json")"
    svc="$(jq -c 'select(.kind == "Service")' <<<"$json")"
    dep="$(jq -c 'select(.kind == "Deployment")' <<<"$json")"
    tag=slim
    [[ "$v" == v0.1 ]] && tag=registry
    c='.spec.template.spec.containers[0]'
    check "$v: namespace askeladden-dev" json_has "$ns" '.metadata.name == "askeladden-dev"'
    check "$v: service askeladden-dev-service in it, NodePort 80 -> 8090 on 30008" json_has "$svc" \
      '.metadata.name == "askeladden-dev-service" and .metadata.namespace == "askeladden-dev" and .spec.type == "NodePort"
       and .spec.ports[0].port == 80 and .spec.ports[0].targetPort == 8090 and .spec.ports[0].nodePort == 30008'
    check "$v: deployment deployment-askeladden-dev in it" json_has "$dep" \
      '.metadata.name == "deployment-askeladden-dev" and .metadata.namespace == "askeladden-dev"'
    check "$v: service selects the pod template's labels" jq -e -n --argjson s "$svc" --argjson d "$dep" \
      '$s.spec.selector | to_entries | all(.value == $d.spec.template.metadata.labels[.key])'
    check "$v: recommended app.kubernetes.io labels" json_has "$dep" \
      '.metadata.labels | has("app.kubernetes.io/name") and has("app.kubernetes.io/instance") and has("app.kubernetes.io/part-of")'
    check "$v: image localhost:32000/askeladden:$tag" json_has "$dep" "$c.image == \"localhost:32000/askeladden:$tag\""
    check "$v: readiness /readyz and liveness /healthz probes" json_has "$dep" \
      "$c.readinessProbe.httpGet.path == \"/readyz\" and $c.livenessProbe.httpGet.path == \"/healthz\""
    check "$v: cpu and memory requests and limits" json_has "$dep" \
      "$c.resources | (.requests.cpu and .requests.memory and .limits.cpu and .limits.memory)"
    check "$v: rolling update with maxUnavailable 0" json_has "$dep" \
      '.spec.strategy.type == "RollingUpdate" and .spec.strategy.rollingUpdate.maxUnavailable == 0'
    check "$v: progressDeadlineSeconds set" json_has "$dep" '.spec.progressDeadlineSeconds > 0'
    check "$v: --drain-seconds with a grace period well above it" json_has "$dep" \
      "($c.args | index(\"--drain-seconds\")) as \$i | \$i != null and
       .spec.template.spec.terminationGracePeriodSeconds >= ($c.args[\$i + 1] | tonumber) + 10"
    check "$v: a change-cause annotation for redeploy.sh to fill in" json_has "$dep" \
      '.metadata.annotations | has("kubernetes.io/change-cause")'
  done
  check "v0.2: restricted securityContext" json_has "$(k8s_json v0.2 | jq -c 'select(.kind == "Deployment")')" \
    '.spec.template.spec as $p | $p.containers[0].securityContext as $c |
     $p.securityContext.runAsNonRoot == true and $p.securityContext.runAsUser == 10001 and
     $p.securityContext.seccompProfile.type == "RuntimeDefault" and
     $c.allowPrivilegeEscalation == false and $c.readOnlyRootFilesystem == true and $c.capabilities.drop == ["ALL"]'
}

test_snapshots_differ_by_post_2_only() {
  local strip='del(.. | .securityContext?) | (.. | objects | select(has("image")) | .image) |= "IMAGE"'
  check "v0.1/k8s and v0.2/k8s: only deployment.yaml differs" \
    test "$(diff -rq "$ASKELADDEN_ROOT/v0.1/k8s" "$ASKELADDEN_ROOT/v0.2/k8s" | wc -l)" -eq 1 -a \
    -n "$(diff -rq "$ASKELADDEN_ROOT/v0.1/k8s" "$ASKELADDEN_ROOT/v0.2/k8s" | grep deployment.yaml)"
  check "v0.1 and v0.2 objects differ only by image and securityContext" \
    test "$(k8s_json v0.1 | jq -c "$strip")" = "$(k8s_json v0.2 | jq -c "$strip")"
}

# Docker can apply what the kubelet would: the Deployment's args, user,
# read-only root and dropped capabilities. The probes must answer under them,
# and SIGTERM must fail readiness, then stop within the grace period.
test_image_meets_manifest() {
  local v=v0.2 dep c container_port port cid user args=() docker_opts=() ready live grace
  if ! docker image inspect "askeladden:$v" >/dev/null 2>&1; then
    skip "askeladden:$v under the Deployment's settings" "no image askeladden:$v (make images)"
    return 0
  fi
  dep="$(k8s_json "$v" | jq -c 'select(.kind == "Deployment") | .spec.template.spec')"
  c="$(jq -c '.containers[0]' <<<"$dep")"
  mapfile -t args < <(jq -r '.args[]' <<<"$c")
  ready="$(jq -r '.readinessProbe.httpGet.path' <<<"$c")"
  live="$(jq -r '.livenessProbe.httpGet.path' <<<"$c")"
  grace="$(jq -r '.terminationGracePeriodSeconds' <<<"$dep")"
  user="$(jq -r '"\(.securityContext.runAsUser):\(.securityContext.runAsGroup)"' <<<"$dep")"
  docker_opts=(--user "$user" --security-opt no-new-privileges)
  json_has "$c" '.securityContext.readOnlyRootFilesystem' >/dev/null && docker_opts+=(--read-only)
  json_has "$c" '.securityContext.capabilities.drop == ["ALL"]' >/dev/null && docker_opts+=(--cap-drop ALL)
  container_port="$(jq -r '.ports[0].containerPort' <<<"$c")"
  cid="$(docker run -d --rm "${docker_opts[@]}" -p "127.0.0.1::$container_port" "askeladden:$v" "${args[@]}")"
  port="$(docker port "$cid" "$container_port/tcp" | head -n 1)"
  port="${port##*:}"
  wait_until 10 "" curl -fsS --max-time 2 "http://127.0.0.1:$port$ready" || true
  check "askeladden:$v as $user, ${docker_opts[*]:2}: $ready answers 200" curl -fsS --max-time 2 "http://127.0.0.1:$port$ready"
  check "askeladden:$v under the same: $live answers 200" curl -fsS --max-time 2 "http://127.0.0.1:$port$live"
  local start="$SECONDS"
  docker kill -s TERM "$cid" >/dev/null
  sleep 0.5
  check "askeladden:$v after SIGTERM: $ready fails while it drains" \
    test "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port$ready")" = 503
  wait_until "$grace" "" bash -c "! docker inspect '$cid'" || true
  check "askeladden:$v stops within terminationGracePeriodSeconds ($grace s)" \
    test -z "$(docker ps -q --filter "id=$cid")" -a $((SECONDS - start)) -le "$grace"
  docker rm -f "$cid" >/dev/null 2>&1 || true
}

test_registry_start() {
  run "$REGISTRY_SH" --port "$TEST_PORT" start
  check "registry.sh start: docker-registry answers on $TEST_REGISTRY" registry_answers "$TEST_REGISTRY"
  check "registry.sh start: data under the state directory" test -d "$ASKELADDEN_STATE/registry-$TEST_PORT/data"
  run "$REGISTRY_SH" --port "$TEST_PORT" start
  check "registry.sh start again: does nothing" contains "$WORK/err" "nothing to do"
  run "$REGISTRY_SH" --port "$TEST_PORT" status
  check "registry.sh status: answers, started by it" test "$RC" -eq 0 -a -n "$(grep pid "$WORK/err")"
}

test_bad_usage() {
  run "$REDEPLOY" v9.9
  check "redeploy.sh v9.9: usage error, exit 2, one line" test "$RC" -eq 2 -a "$(lines "$WORK/err")" -eq 1
}

# An error path: exit 1, one line naming the problem, within seconds, nothing
# pushed to or tagged for the test registry.
expect_clean_failure() {
  local name="$1" words="$2"
  check "$name: exits 1" test "$RC" -eq 1
  check "$name: one line: '$words'" test "$(lines "$WORK/err")" -eq 1 -a -n "$(grep -F -- "$words" "$WORK/err")"
  check "$name: within 10 s" test "$ELAPSED" -le 10
  check "$name: nothing pushed" test "$(catalog_of "$TEST_REGISTRY")" = '[]'
  check "$name: nothing tagged" test -z "$(local_tags_of "$TEST_REGISTRY")"
}

test_no_engine() {
  run env DOCKER_HOST="unix://$WORK/no-docker.sock" "$REDEPLOY" --render --image "$THROWAWAY" --registry "$TEST_REGISTRY"
  expect_clean_failure "no engine" "no Docker engine answers"
}

test_registry_down() {
  local port
  port="$(free_port)"
  run "$REDEPLOY" --render --image "$THROWAWAY" --registry "127.0.0.1:$port"
  expect_clean_failure "registry down" "no registry answers at http://127.0.0.1:$port/v2/"
}

test_no_cluster() {
  run env KUBECTL=kubectl KUBECONFIG="$WORK/kubeconfig" "$REDEPLOY" --image "$THROWAWAY" --registry "$TEST_REGISTRY"
  expect_clean_failure "no cluster" "no Kubernetes cluster answers"
  run env KUBECTL="$WORK/no-such-kubectl" "$REDEPLOY" --image "$THROWAWAY" --registry "$TEST_REGISTRY"
  expect_clean_failure "no kubectl" "is not installed"
}

test_dry_run() {
  run "$REDEPLOY" --dry-run --render --image "$THROWAWAY" --registry "$TEST_REGISTRY"
  check "--dry-run --render: exits 0 and prints the plan" test "$RC" -eq 0 -a -n "$(grep -F 'push:' "$WORK/err")"
  check "--dry-run: nothing pushed" test "$(catalog_of "$TEST_REGISTRY")" = '[]'
  check "--dry-run: nothing tagged" test -z "$(local_tags_of "$TEST_REGISTRY")"
}

test_render_pushes_and_pins() {
  local git_tag before json dep image digest
  git_tag="$(expected_git_tag)"
  before="$(sha256sum "$ASKELADDEN_ROOT"/v0.2/k8s/*)"
  run "$REDEPLOY" --render --image "$THROWAWAY" --registry "$TEST_REGISTRY"
  check "render: exits 0" test "$RC" -eq 0
  check "render: one progress line per step [1/4]..[4/4]" test "$(grep -c '\[[1-4]/4\]' "$WORK/err")" -eq 4
  check "render: the registry lists $git_tag and slim" \
    test "$(tags_of "$TEST_REGISTRY")" = "$(jq -c -n --arg a "$git_tag" '[$a, "slim"] | sort')"
  json="$(rendered_json "$WORK/out")"
  dep="$(jq -c 'select(.kind == "Deployment")' <<<"$json")"
  image="$(jq -r '.spec.template.spec.containers[0].image' <<<"$dep")"
  digest="${image#"$TEST_REGISTRY/askeladden@"}"
  check "render: image pinned by digest ($image)" test "$digest" != "$image" -a "${digest:0:7}" = "sha256:"
  check "render: the pinned digest resolves in the registry" test "$(registry_digest "$TEST_REGISTRY" "$digest")" = "$digest"
  check "render: both tags resolve to the pinned digest" \
    test "$(registry_digest "$TEST_REGISTRY" slim) $(registry_digest "$TEST_REGISTRY" "$git_tag")" = "$digest $digest"
  check "render: the digest is the one Docker pushed" \
    contains <(docker image inspect --format '{{join .RepoDigests "\n"}}' "$THROWAWAY") "$TEST_REGISTRY/askeladden@$digest"
  check "render: namespace askeladden-dev on every object" \
    test "$(jq -s -c 'map(.metadata.namespace // .metadata.name) | unique' <<<"$json")" = '["askeladden-dev"]'
  check "render: readiness and liveness probes" json_has "$dep" \
    '.spec.template.spec.containers[0] | .readinessProbe.httpGet.path == "/readyz" and .livenessProbe.httpGet.path == "/healthz"'
  check "render: NodePort 30008" test "$(jq -s -r 'map(select(.kind == "Service"))[0].spec.ports[0].nodePort' <<<"$json")" = 30008
  check "render: change cause names the digest" json_has "$dep" \
    ".metadata.annotations[\"kubernetes.io/change-cause\"] | contains(\"$digest\")"
  check "render: restricted securityContext kept" json_has "$dep" '.spec.template.spec.securityContext.runAsUser == 10001'
  check "render: the tracked manifests are unchanged" test "$(sha256sum "$ASKELADDEN_ROOT"/v0.2/k8s/*)" = "$before"
}

test_render_v0_1() {
  run "$REDEPLOY" --render --image "$THROWAWAY" --registry "$TEST_REGISTRY" v0.1
  check "render v0.1: exits 0" test "$RC" -eq 0
  check "render v0.1: the registry lists tag registry" json_has "$(tags_of "$TEST_REGISTRY")" 'index("registry") != null'
  check "render v0.1: v0.1's Deployment, pinned" json_has "$(rendered_json "$WORK/out" | jq -c 'select(.kind == "Deployment")')" \
    ".spec.template.spec.securityContext == null and
     (.spec.template.spec.containers[0].image | startswith(\"$TEST_REGISTRY/askeladden@sha256:\"))"
}

# What a fresh machine runs: the default registry, the real image.
test_render_default_registry() {
  local why=
  registry_answers localhost:32000 || why="no registry answers on localhost:32000 (scripts/registry.sh start)"
  docker image inspect askeladden:v0.2 >/dev/null 2>&1 || why="no image askeladden:v0.2 (make images)"
  if [[ -n "$why" ]]; then
    skip "render with the defaults" "$why"
    return 0
  fi
  run env -u REGISTRY "$REDEPLOY" --render --no-build
  check "render with the defaults: exits 0" test "$RC" -eq 0
  check "render with the defaults: localhost:32000 lists slim" json_has "$(tags_of localhost:32000)" 'index("slim") != null'
  check "render with the defaults: pinned to localhost:32000" \
    contains "$WORK/out" "image: localhost:32000/askeladden@sha256:"
}

test_cluster_redeploy() {
  if ! cluster_reachable; then
    skip "cluster redeploy and rollback" "no Kubernetes cluster answers to kubectl; apply, rollout and smoke test NOT tested"
    return 0
  fi
  if ! docker image inspect askeladden:v0.2 >/dev/null 2>&1 || ! registry_answers localhost:32000; then
    skip "cluster redeploy and rollback" "needs askeladden:v0.2 (make images) and the registry on localhost:32000"
    return 0
  fi
  local kubectl image
  kubectl="${KUBECTL:-$(have microk8s && echo 'microk8s kubectl' || echo kubectl)}"
  run env -u REGISTRY "$REDEPLOY" --no-build --timeout 180
  check "cluster: redeploy exits 0" test "$RC" -eq 0
  check "cluster: it printed the NodePort URL" contains "$WORK/err" "is live at http://127.0.0.1:30008/"
  check "cluster: /healthz answers on the NodePort" curl -fsS --max-time 5 http://127.0.0.1:30008/healthz
  # shellcheck disable=SC2086 # KUBECTL may be a command with arguments
  image="$($kubectl -n askeladden-dev get deployment/deployment-askeladden-dev -o 'jsonpath={.spec.template.spec.containers[0].image}')"
  check "cluster: deployment pinned by digest" test "${image#localhost:32000/askeladden@sha256:}" != "$image"
  # shellcheck disable=SC2086
  check "cluster: rollout history records the cause" \
    contains <($kubectl -n askeladden-dev rollout history deployment/deployment-askeladden-dev) "redeploy.sh v0.2"
  # An image that cannot start: the rollout must fail, be explained and undone.
  run env -u REGISTRY "$REDEPLOY" --image "$THROWAWAY" --timeout 30
  check "cluster: a bad image fails the redeploy" test "$RC" -eq 1
  check "cluster: and it was rolled back" contains "$WORK/err" "was rolled back"
  # shellcheck disable=SC2086
  check "cluster: the deployment runs the good image again" test \
    "$($kubectl -n askeladden-dev get deployment/deployment-askeladden-dev -o 'jsonpath={.spec.template.spec.containers[0].image}')" = "$image"
  # The bad push moved the tags: point them at the good image again.
  run env -u REGISTRY "$REDEPLOY" --no-build --timeout 180
  check "cluster: redeploying the good image restores the tags" test "$RC" -eq 0
}

test_registry_stop() {
  run "$REGISTRY_SH" --port "$TEST_PORT" stop
  check "registry.sh stop: exits 0" test "$RC" -eq 0
  check "registry.sh stop: nothing answers on $TEST_REGISTRY" test -z "$(registry_answers "$TEST_REGISTRY" && echo up)"
  run "$REGISTRY_SH" --port "$TEST_PORT" status
  check "registry.sh status: exit 1 when nothing answers" test "$RC" -eq 1
}

for t in "${TESTS[@]}"; do "$t"; done
printf 'redeploy: %d passed, %d failed, %d skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
((FAILED == 0))
