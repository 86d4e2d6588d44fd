#!/usr/bin/env bash
# Usage: tests/manifests_test.sh [--help]
#
# Tests for the Kubernetes manifests in v0.1/k8s and v0.2/k8s, offline:
#   - kubectl kustomize parses each, into a Namespace, a Service, a Deployment
#   - the objects carry what post 2 and an operator need (names, NodePort,
#     labels, probes, resources, rolling update, drain and grace period)
#   - v0.1's and v0.2's objects differ only by image and securityContext
#     (that only deployment.yaml differs is tests/suite_snapshots.c's job)
#   - the image runs under the Deployment's args, user and securityContext,
#     answers its probes, then fails readiness on SIGTERM and stops within the
#     grace period (docker run: no cluster needed)
#
# Needs kubectl, yq, jq, curl and a Docker engine with askeladden:v0.2 for the
# last part (skipped loudly without the image); `make test-redeploy` sets them
# up. Closes with "manifests: N passed, N failed[, N skipped]".

# The jq programs in single quotes name jq's $variables, not the shell's.
# shellcheck disable=SC2016
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

accept_only_help "$@"
require_cmd kubectl yq jq curl docker

CONTAINERS=()
trap 'for c in "${CONTAINERS[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done' EXIT

# The manifests as one JSON document per line.
k8s_json() { kubectl kustomize "$ASKELADDEN_ROOT/$1/k8s" | yq -c 'select(. != null)'; }
object() { k8s_json "$1" | jq -c "select(.kind == \"$2\")"; }
json_has() { jq -e "$2" <<<"$1"; }

test_parse() {
  local v
  for v in v0.1 v0.2; do
    check "$v/k8s: kubectl kustomize parses it" kubectl kustomize "$ASKELADDEN_ROOT/$v/k8s"
    check_eq "$v/k8s: three objects" '["Namespace","Service","Deployment"]' "$(k8s_json "$v" | jq -s -c 'map(.kind)')"
  done
}

test_content() {
  local v ns svc dep tag c='.spec.template.spec.containers[0]'
  for v in v0.1 v0.2; do
    ns="$(object "$v" Namespace)" svc="$(object "$v" Service)" dep="$(object "$v" Deployment)"
    tag=slim
    [[ "$v" == v0.1 ]] && tag=registry
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
  check "v0.2: restricted securityContext" json_has "$(object v0.2 Deployment)" \
    '.spec.template.spec as $p | $p.containers[0].securityContext as $c |
     $p.securityContext.runAsNonRoot == true and $p.securityContext.runAsUser == 10001 and
     $p.securityContext.seccompProfile.type == "RuntimeDefault" and
     $c.allowPrivilegeEscalation == false and $c.readOnlyRootFilesystem == true and $c.capabilities.drop == ["ALL"]'
}

test_snapshots_differ_by_image_and_security_only() {
  local strip='del(.. | .securityContext?) | (.. | objects | select(has("image")) | .image) |= "IMAGE"'
  check_eq "v0.1 and v0.2 objects differ only by image and securityContext" \
    "$(k8s_json v0.1 | jq -c "$strip")" "$(k8s_json v0.2 | jq -c "$strip")"
}

readyz_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1"; }
readyz_is() { [[ "$(readyz_status "$1")" == "$2" ]]; }

# Docker can apply what the kubelet would: the Deployment's args, user,
# read-only root and dropped capabilities. The probes must answer under them,
# and SIGTERM must fail readiness, then stop within the grace period.
test_image_meets_manifest() {
  local v=v0.2 pod c port cid user args=() opts=() ready live grace
  if ! image_exists "askeladden:$v"; then
    check_skip "askeladden:$v under the Deployment's settings" "no image askeladden:$v (make images)"
    return 0
  fi
  pod="$(object "$v" Deployment | jq -c .spec.template.spec)"
  c="$(jq -c '.containers[0]' <<<"$pod")"
  mapfile -t args < <(jq -r '.args[]' <<<"$c")
  ready="$(jq -r '.readinessProbe.httpGet.path' <<<"$c")" live="$(jq -r '.livenessProbe.httpGet.path' <<<"$c")"
  grace="$(jq -r '.terminationGracePeriodSeconds' <<<"$pod")"
  user="$(jq -r '"\(.securityContext.runAsUser):\(.securityContext.runAsGroup)"' <<<"$pod")"
  opts=(--user "$user" --security-opt no-new-privileges)
  json_has "$c" '.securityContext.readOnlyRootFilesystem' >/dev/null && opts+=(--read-only)
  json_has "$c" '.securityContext.capabilities.drop == ["ALL"]' >/dev/null && opts+=(--cap-drop ALL)
  port="$(jq -r '.ports[0].containerPort' <<<"$c")"
  cid="$(docker run -d --rm "${opts[@]}" -p "127.0.0.1::$port" "askeladden:$v" "${args[@]}")"
  CONTAINERS+=("$cid")
  port="$(docker port "$cid" "$port/tcp" | head -n 1)"
  local base="http://127.0.0.1:${port##*:}"
  wait_until 10 "" curl -fsS --max-time 2 "$base$ready" || true
  check "askeladden:$v as $user, ${opts[*]:2}: $ready answers 200" curl -fsS --max-time 2 "$base$ready"
  check "askeladden:$v under the same: $live answers 200" curl -fsS --max-time 2 "$base$live"
  local start="$SECONDS"
  docker kill -s TERM "$cid" >/dev/null
  # The drain begins when the signal is handled: wait for readiness to fail.
  wait_until 5 "" readyz_is "$base$ready" 503 || true
  check_eq "askeladden:$v after SIGTERM: $ready fails while it drains" 503 "$(readyz_status "$base$ready")"
  wait_until "$grace" "" bash -c "! docker inspect '$cid'" || true
  check "askeladden:$v stops within terminationGracePeriodSeconds ($grace s)" \
    test -z "$(docker ps -q --filter "id=$cid")" -a $((SECONDS - start)) -le "$grace"
}

test_parse
test_content
test_snapshots_differ_by_image_and_security_only
test_image_meets_manifest
checks_summary manifests
