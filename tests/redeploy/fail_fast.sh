# scripts/redeploy.sh fails fast: its reading of a rollout
# (scripts/redeploy/rollout.sh) on Kubernetes' own objects, then on the
# cluster, each reason provoked for real and rolled back within 30 s of the
# first event that showed it. Also the images and the kubectl the cluster
# tests provoke faults with. Sourced by tests/redeploy_test.sh, whose
# fixtures and cluster helpers it uses.
# shellcheck shell=bash
# shellcheck disable=SC2154,SC2016

# --- What rollout_state makes of a Deployment, its ReplicaSets and pods -------

# objects REVISION NEW_POD_WAITING RESTARTS: a rollout to REVISION, two
# replicas, one new pod waiting for NEW_POD_WAITING after RESTARTS restarts,
# and an old pod of revision 1 crash-looping (not the new one's business).
objects() {
  jq -n --arg rev "$1" --arg why "$2" --argjson restarts "$3" '
    {items: [
      {kind: "Deployment", metadata: {name: "d", generation: 4, annotations: {"deployment.kubernetes.io/revision": $rev}},
       spec: {replicas: 2, progressDeadlineSeconds: 120},
       status: {observedGeneration: 4, replicas: 3, updatedReplicas: 1, availableReplicas: 2, conditions: []}},
      {kind: "ReplicaSet", metadata: {annotations: {"deployment.kubernetes.io/revision": "1"}, labels: {"pod-template-hash": "old"}}},
      {kind: "ReplicaSet", metadata: {annotations: {"deployment.kubernetes.io/revision": "2"}, labels: {"pod-template-hash": "new"}}},
      {kind: "Pod", metadata: {name: "d-old-1", labels: {"pod-template-hash": "old"}},
       status: {containerStatuses: [{restartCount: 9, state: {waiting: {reason: "CrashLoopBackOff"}}}]}},
      {kind: "Pod", metadata: {name: "d-new-1", labels: {"pod-template-hash": "new"}},
       status: {containerStatuses: [{restartCount: $restarts,
         state: (if $why == "" then {running: {}} else {waiting: {reason: $why, message: "what\nthe kubelet says"}} end)}]}}]}'
}
state_of() { rollout_state | paste -sd '|'; }

test_rollout_state() {
  local why
  for why in ErrImagePull ImagePullBackOff InvalidImageName CreateContainerConfigError; do
    check_eq "rollout state: a new pod waiting with $why fails it at once" "failed|$why|d-new-1|what the kubelet says" \
      "$(objects 2 "$why" 0 | state_of)"
  done
  check_eq "rollout state: CrashLoopBackOff before its first restart is a slow start" \
    'waiting|||Waiting for deployment "d" rollout to finish: 1 out of 2 new replicas have been updated...' \
    "$(objects 2 CrashLoopBackOff 0 | state_of)"
  check_eq "rollout state: CrashLoopBackOff after $CRASH_RESTARTS restarts fails it" \
    "failed|CrashLoopBackOff|d-new-1|what the kubelet says" "$(objects 2 CrashLoopBackOff "$CRASH_RESTARTS" | state_of)"
  check_eq "rollout state: a pod of the old revision does not fail the new one" \
    'waiting|||Waiting for deployment "d" rollout to finish: 1 out of 2 new replicas have been updated...' \
    "$(objects 2 ContainerCreating 0 | state_of)"
  check_eq "rollout state: the spec not yet seen by the controller: no pod judged" \
    "waiting|||Waiting for deployment spec update to be observed..." \
    "$(objects 2 ErrImagePull 0 | jq '.items[0].status.observedGeneration = 3' | state_of)"
  check_eq "rollout state: the progress deadline fails it" \
    "failed|ProgressDeadlineExceeded||no progress for 120s" \
    "$(objects 2 "" 0 | jq '.items[0].status.conditions = [{type: "Progressing", reason: "ProgressDeadlineExceeded"}]' | state_of)"
  check_eq "rollout state: old pods left: waiting" \
    'waiting|||Waiting for deployment "d" rollout to finish: 1 old replicas are pending termination...' \
    "$(objects 2 "" 0 | jq '.items[0].status.updatedReplicas = 2' | state_of)"
  check_eq "rollout state: all new and available: done, in kubectl's words" \
    'done|||deployment "d" successfully rolled out' \
    "$(objects 2 "" 0 | jq '.items[0].status |= . + {replicas: 2, updatedReplicas: 2}' | state_of)"
}

# --- What provokes the faults on a cluster --------------------------------------

# build_from_slim NAME ENTRYPOINT: an image from the project's
# debian:bookworm-slim that runs ENTRYPOINT (JSON), built here, pulled from
# nowhere.
build_from_slim() {
  mkdir -p "$CAPTURED/$1"
  printf 'FROM debian:bookworm-slim\nENTRYPOINT %s\n' "$2" >"$CAPTURED/$1/Dockerfile"
  docker build -q -t "$1" "$CAPTURED/$1" >/dev/null
}

# fault_images: CRASHER exits at once, after a line on stderr; SLEEPER runs
# and never answers, so its pods never get ready, and never fail fast;
# UNPULLABLE, one file, is deleted before the apply (write_fault_kubectl).
fault_images() {
  CRASHER="askeladden-redeploy-crasher:$$" SLEEPER="askeladden-redeploy-sleeper:$$"
  UNPULLABLE="askeladden-redeploy-unpullable:$$"
  mkdir -p "$CAPTURED/unpullable"
  echo "askeladden redeploy test $$, never pulled" >"$CAPTURED/unpullable/hello.txt"
  build_from_slim "$CRASHER" '["/bin/sh", "-c", "echo \"crasher: exits at once\" >&2; exit 3", "crasher"]' &&
    build_from_slim "$SLEEPER" '["/bin/sh", "-c", "trap \"exit 0\" TERM; sleep 3600 & wait", "sleeper"]' &&
    tar -C "$CAPTURED/unpullable" -c . | docker import - "$UNPULLABLE" >/dev/null
}

# A kubectl for the tests: the real one ($REAL_KUBECTL), except that its
# `apply -f -` first does what $FAULT asks: hold (until a Ctrl-C ends it),
# unpullable (the image is deleted here and its registry stopped),
# invalid-name (the image named with a capital letter), missing-config (an
# environment variable from a ConfigMap that does not exist).
write_fault_kubectl() {
  FAULT_KUBECTL="$CAPTURED/fault-kubectl"
  cat >"$FAULT_KUBECTL" <<'SCRIPT'
#!/usr/bin/env bash
set -euo pipefail
read -r -a real <<<"$REAL_KUBECTL"
[[ "${FAULT:-} $*" == ?*" apply -f -" ]] || exec "${real[@]}" "$@"
objects="$(yq -c . | jq -s '{apiVersion: "v1", kind: "List", items: .}')"
image="$(jq -r '.items[] | select(.kind == "Deployment") | .spec.template.spec.containers[0].image' <<<"$objects")"
container='.items[] | select(.kind == "Deployment") | .spec.template.spec.containers[0]'
case "$FAULT" in
  hold) : >"$HELD"; read -r _ <"$HELD.fifo" ;;
  unpullable) docker rmi -f "$(docker image inspect -f '{{.Id}}' "$image")" >/dev/null
    "$REGISTRY_SH" --port "$TEST_PORT" stop >/dev/null ;;
  invalid-name) objects="$(jq "($container).image |= sub(\"/askeladden@\"; \"/Askeladden@\")" <<<"$objects")" ;;
  missing-config) objects="$(jq "($container).env = [{name: \"GREETING\",
      valueFrom: {configMapKeyRef: {name: \"askeladden-no-such-config\", key: \"greeting\"}}}]" <<<"$objects")" ;;
esac
exec "${real[@]}" "$@" <<<"$objects"
SCRIPT
  chmod +x "$FAULT_KUBECTL"
  mkfifo "$CAPTURED/held.fifo"
  export REAL_KUBECTL="${kubectl[*]}" HELD="$CAPTURED/held" REGISTRY_SH TEST_PORT
}

# --- On the cluster -------------------------------------------------------------

# events: the namespace's events, core/v1's (kubectl get events may answer
# with events.k8s.io's, whose fields have other names).
events() { "${kubectl[@]}" get --raw /api/v1/namespaces/askeladden-dev/events; }

# rollback_delay POD: the seconds, by the cluster's events, from the first
# event of a fault on POD to its ReplicaSet's deleting it, which the
# rollback's scale-down to 0 does; "none" when either is missing. Only
# events about the pod and its ReplicaSet: the Deployment's own
# (ScalingReplicaSet) are dropped by the event recorder's spam filter after
# its first 25, which a long test exceeds.
rollback_delay() {
  events | jq -r --arg pod "$1" --arg rs "${1%-*}" '
    def at(f): f // empty | sub("\\.[0-9]+"; "") | fromdateiso8601;
    ([.items[] | select(.involvedObject.kind == "Pod" and .involvedObject.name == $pod)
      | select(.reason as $r | any("Failed", "BackOff", "InspectFailed"; . == $r))
      | at(.firstTimestamp)] | min) as $fault
    | ([.items[] | select(.involvedObject.kind == "ReplicaSet" and .involvedObject.name == $rs
                          and .reason == "SuccessfulDelete" and .message == "Deleted pod: \($pod)")
        | at(.lastTimestamp)] | max) as $deleted
    | if $fault == null or $deleted == null then "none" else $deleted - $fault end'
}
# deleted_event POD: the event of POD's deletion by its ReplicaSet is there
# (the recorder writes events a moment after the fact).
deleted_event() {
  events | jq -e --arg pod "$1" 'any(.items[]; .reason == "SuccessfulDelete" and .message == "Deleted pod: \($pod)")' >/dev/null
}

# expect_fail_fast NAME REASONS [VAR=VALUE...] ARGS...: redeploy.sh ARGS,
# with those variables set, fails with a reason matching REASONS, names it
# and the pod, shows the pod's last log lines, and rolls back within 30 s of
# the fault's first event.
expect_fail_fast() {
  local name="$1" reasons="$2" slims failure pod delay template vars=()
  shift 2
  while [[ "${1:-}" =~ ^[A-Z_]+= ]]; do vars+=("$1"); shift; done
  slims="$(post_tags)" template="$(deployment_field .spec.template)"
  capture env -u REGISTRY "${vars[@]}" "$REDEPLOY" "$@" --json --timeout 100
  # The unpullable image's registry was stopped.
  "$REGISTRY_SH" --port "$TEST_PORT" start >/dev/null 2>&1 || true
  failure="$(printed .failure)" pod="$(printed .failed_pod)"
  check_eq "$name: the redeploy fails (exit 1)" 1 "$RC"
  check "$name: at once, with $reasons, not a timeout (got ${failure:-none})" grep -qxE "$reasons" <<<"$failure"
  check "$name: it names the pod and the reason" said "pod $pod: $failure"
  check "$name: it shows the pod's last log lines" said "last log lines of pod/$pod:"
  check_eq "$name: --json: rolled back" true "$(printed .rolled_back)"
  wait_until 30 "" deleted_event "$pod" || true
  delay="$(rollback_delay "$pod")"
  if [[ "$delay" =~ ^[0-9]+$ ]] && ((delay <= 30)); then
    check_pass "$name: rolled back $delay s after the first fault event, by the cluster's events (at most 30)"
  else
    check_fail "$name: rolled back within 30 s of the first fault event, by the cluster's events" "${delay:-no events}:" \
      "$(events | jq -c --arg rs "${pod%-*}" '[.items[] | select((.message // "" | contains($rs)) or (.involvedObject.name // "" | startswith($rs)))
        | [.involvedObject.name, .reason, .message, .firstTimestamp, .lastTimestamp]]' | cut -c 1-1500)"
  fi
  check_eq "$name: the Deployment's pods are the good ones again" "$template" "$(deployment_field .spec.template)"
  check "$name: the old pods still serve" curl -fsS --max-time 5 -o /dev/null http://127.0.0.1:30008/
  check_eq "$name: :slim was not moved" "$slims" "$(post_tags)"
}

test_fail_fast() {
  expect_fail_fast "crash loop" CrashLoopBackOff --image "$CRASHER" --registry "$TEST_REGISTRY"
  check "crash loop: the last log lines are the crasher's" said "crasher: exits at once"
  expect_fail_fast "invalid image name" InvalidImageName FAULT=invalid-name KUBECTL="$FAULT_KUBECTL" --no-build
  expect_fail_fast "missing ConfigMap" CreateContainerConfigError FAULT=missing-config KUBECTL="$FAULT_KUBECTL" --no-build
  expect_fail_fast "unpullable image" 'ErrImagePull|ImagePullBackOff' \
    FAULT=unpullable KUBECTL="$FAULT_KUBECTL" --image "$UNPULLABLE" --registry "$TEST_REGISTRY"
}
