# How scripts/redeploy.sh follows a rollout: from the Deployment, its
# ReplicaSets and their pods, whether it is done, still moving, or failed
# already, without waiting for a deadline. Sourced by scripts/redeploy.sh
# (which defines kube, info, NAMESPACE and SELECTOR) and by its
# test.
# shellcheck shell=bash
# FAILURE and FAILED_POD are set for the caller.
# shellcheck disable=SC2034

# A new pod waiting for one of these reasons will not start by itself.
FATAL_REASONS='["ErrImagePull","ImagePullBackOff","InvalidImageName","CreateContainerConfigError"]'
# A CrashLoopBackOff after this many restarts is not a slow start: the
# container has started and crashed twice. Waiting for a second restart
# costs 10 to 20 s more (the kubelet backs off 10 s, then 20 s, and retries a
# pod in back-off only every 10 to 15 s): on a 1.20 cluster the rollback
# then came 26 to 27 s after the first back-off event, too close to the 30 s
# the rollback is allowed.
CRASH_RESTARTS=1

# rollout_state: read `kubectl get deployment,replicaset,pod -o json` for one
# Deployment and print where its rollout is, as four lines (state, reason,
# pod, message):
#   done, -, -, the line kubectl rollout status ends with
#   waiting, -, -, what for, in kubectl rollout status's words
#   failed, the reason, the pod (when a pod's), its message
# The new pods are those of the ReplicaSet of the Deployment's revision.
# The jq program names jq's variables, not the shell's.
# shellcheck disable=SC2016
rollout_state() {
  jq -r --argjson fatal "$FATAL_REASONS" --argjson restarts "$CRASH_RESTARTS" '
    .items as $all
    | ($all | map(select(.kind == "Deployment"))[0]) as $d
    | ($d.metadata.annotations["deployment.kubernetes.io/revision"]) as $rev
    | ($all | map(select(.kind == "ReplicaSet"
                         and .metadata.annotations["deployment.kubernetes.io/revision"] == $rev))[0]
       | .metadata.labels["pod-template-hash"]) as $hash
    | [$all[] | select(.kind == "Pod" and $hash != null and .metadata.labels["pod-template-hash"] == $hash)
       | .metadata.name as $pod | .status.containerStatuses[]?
       | (.state.waiting.reason // "") as $why
       | select(any($fatal[]; . == $why) or ($why == "CrashLoopBackOff" and .restartCount >= $restarts))
       | ["failed", $why, $pod, (.state.waiting.message // "" | gsub("\\s+"; " "))]] as $bad
    | ($d.spec.replicas // 1) as $want | ($d.status.updatedReplicas // 0) as $new
    | ($d.status.replicas // 0) as $pods | ($d.status.availableReplicas // 0) as $up
    | "Waiting for deployment \"\($d.metadata.name)\" rollout to finish: " as $wait
    | if $d == null then ["failed", "Gone", "", "the Deployment is gone"]
      elif ($d.status.observedGeneration // 0) < $d.metadata.generation then
        ["waiting", "", "", "Waiting for deployment spec update to be observed..."]
      elif ($bad | length) > 0 then $bad[0]
      elif any($d.status.conditions[]?; .type == "Progressing" and .reason == "ProgressDeadlineExceeded") then
        ["failed", "ProgressDeadlineExceeded", "", "no progress for \($d.spec.progressDeadlineSeconds)s"]
      elif $new < $want then ["waiting", "", "", "\($wait)\($new) out of \($want) new replicas have been updated..."]
      elif $pods > $new then ["waiting", "", "", "\($wait)\($pods - $new) old replicas are pending termination..."]
      elif $up < $new then ["waiting", "", "", "\($wait)\($up) of \($new) updated replicas are available..."]
      else ["done", "", "", "deployment \"\($d.metadata.name)\" successfully rolled out"] end
    | .[]'
}

# watch_rollout SECONDS: follow the rollout, a line each time it moves on,
# until it is done (0) or fails (1; FAILURE and FAILED_POD say why: a pod's
# reason, ProgressDeadlineExceeded, or Timeout after SECONDS).
watch_rollout() {
  local deadline=$((SECONDS + $1)) now state reason pod detail said=''
  while :; do
    now="$(kube -n "$NAMESPACE" get deployment,replicaset,pod -l "$SELECTOR" -o json 2>/dev/null |
      rollout_state)" || now=''
    { read -r state; read -r reason; read -r pod; read -r detail; } <<<"$now" || true
    case "$state" in
      done)
        printf '%s\n' "$detail" >&2
        return 0 ;;
      failed)
        FAILURE="$reason" FAILED_POD="$pod"
        info "${pod:+pod $pod: }$reason${detail:+: $detail}"
        return 1 ;;
      waiting)
        [[ "$detail" == "$said" ]] || printf '%s\n' "$detail" >&2
        said="$detail" ;;
    esac
    if ((SECONDS >= deadline)); then
      FAILURE=Timeout FAILED_POD=''
      info "not rolled out within ${1}s"
      return 1
    fi
    sleep 1
  done
}

# explain_failure: the recent events, the pods, and the last log lines of the
# pod that failed (or of the newest).
explain_failure() {
  local pod="${FAILED_POD:-}"
  info "recent events in $NAMESPACE:"
  kube -n "$NAMESPACE" get events --sort-by=.lastTimestamp 2>&1 | tail -n 12 >&2 || true
  kube -n "$NAMESPACE" get pods -l "$SELECTOR" -o wide >&2 || true
  [[ -n "$pod" ]] ||
    pod="$(kube -n "$NAMESPACE" get pods -l "$SELECTOR" --sort-by=.metadata.creationTimestamp -o name 2>/dev/null | tail -n 1)"
  pod="${pod#pod/}"
  [[ -n "$pod" ]] || return 0
  info "last log lines of pod/$pod:"
  # A container that crash-loops has its last words in the previous instance.
  local which=()
  [[ "${FAILURE:-}" != CrashLoopBackOff ]] || which=(--previous)
  kube -n "$NAMESPACE" logs "pod/$pod" --tail=20 "${which[@]}" 2>&1 | sed 's/^/      /' >&2 || true
}
