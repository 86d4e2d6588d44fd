#!/usr/bin/env bash
# Usage: scripts/redeploy.sh [options] [v0.1|v0.2]
#
# Post 2's redeploy as one script: build the snapshot's image, tag it with an
# immutable tag from git, push it to the cluster's registry, check it through
# the registry API, apply vX/k8s/ through a temporary kustomize overlay that
# pins the image by digest and fills in the change cause, wait for the rolling
# update (and roll it back when it fails), move the post's tag to the image
# only once the rollout succeeded, then smoke-test the NodePort. A failed
# rollout leaves the post's tag where it was, so the next `kubectl apply -k`
# does not deploy the broken image.
#
# Snapshots (default v0.2):
#   v0.1   image askeladden:v0.1, pushed as askeladden:registry
#   v0.2   image askeladden:v0.2, pushed as askeladden:slim
#
# Options:
#   --registry HOST:PORT  the registry to push to and pull from (default
#                         localhost:32000: microk8s's registry add-on, or
#                         scripts/registry.sh start)
#   --no-build            push the existing askeladden:vX instead of building it
#   --image REF           push this local image instead of askeladden:vX
#                         (implies --no-build)
#   --render              push and verify, then print what `kubectl kustomize`
#                         makes of the overlay, and stop: no cluster needed
#   --dry-run             run the checks, print the plan, change nothing
#   --timeout SECONDS     how long to wait for the rollout (default 180)
#   --no-wait             when another redeploy runs (it holds the lock
#                         $ASKELADDEN_STATE/locks/redeploy.lock), exit 1
#                         instead of waiting for it; a --dry-run never waits
#   --json                print what it did on stdout, as one JSON object, also
#                         when it fails: image (pinned reference), git_tag,
#                         digest, revision_before, revision_after, rolled_back,
#                         failure (why the rollout failed: a pod's reason such
#                         as CrashLoopBackOff, ProgressDeadlineExceeded or
#                         Timeout), failed_pod, url (smoke-tested), kubectl,
#                         exit; with --render the manifests are its "manifests"
#   --node HOST           where the smoke test reaches the NodePort
#                         (default 127.0.0.1: this machine is the node)
#   -h, --help            show this help
#
# Environment:
#   REGISTRY   as --registry
#   KUBECTL    the kubectl command; without it, the first that answers of:
#              kubectl with KUBECONFIG, microk8s kubectl, kubectl with
#              ~/.kube/config, scripts/cluster.sh's cluster (find_kubectl in
#              common/lib.sh)
#
# Failing fast: while it waits, it watches the new pods. A pod waiting with
# ErrImagePull, ImagePullBackOff, InvalidImageName or
# CreateContainerConfigError, or in CrashLoopBackOff once restarted (it has
# crashed twice), fails the rollout at once: it shows the reason, the pod's
# last log lines and the recent events, and rolls back, without waiting for
# --timeout or the Deployment's progress deadline.
#
# Ctrl-C (or SIGTERM) stops it within a second, at any step. Before the apply,
# the cluster is left as it was (a build is stopped; an image already pushed
# stays pushed). During the apply or the rollout, it rolls the Deployment
# back to the revision it found (a first rollout, with nothing to go back to,
# is left, with the command that deletes it) and leaves the post's tag where
# it was. After the rollout, it says what is deployed and what the post's tag
# names. Either way one line says what it did, and it exits 130.
#
# The tracked manifests in vX/k8s/ are never rewritten: the overlay lives in a
# temporary directory, and what kustomize renders from it is what is applied
# (or printed, with --render). It is written for kubectl 1.20's kustomize
# (v2.0.3) too: `bases:` and a patch file.
#
# Exit status: 0 deployed (or rendered), 1 a check or step failed, 2 bad
# usage, 130 interrupted.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"
# shellcheck source=scripts/redeploy/overlay.sh
source "$ASKELADDEN_ROOT/scripts/redeploy/overlay.sh"
# shellcheck source=scripts/redeploy/rollout.sh
source "$ASKELADDEN_ROOT/scripts/redeploy/rollout.sh"

SNAPSHOT=v0.2
REGISTRY="${REGISTRY:-localhost:32000}"
BUILD=1
IMAGE=
RENDER=0
DRY_RUN=0
JSON=0
WAIT=1
TIMEOUT=180
NODE=127.0.0.1

NAMESPACE=askeladden-dev
DEPLOYMENT=deployment-askeladden-dev
SERVICE=askeladden-dev-service
SELECTOR=app.kubernetes.io/name=askeladden,app.kubernetes.io/instance=askeladden-dev
# The image name vX/k8s/deployment.yaml gives (with the post's tag), which
# the overlay's images: entry replaces.
MANIFEST_IMAGE=localhost:32000/askeladden
# What the registry may answer for a manifest: asking for all of them keeps it
# from converting, which would change the digest.
MANIFEST_TYPES=application/vnd.docker.distribution.manifest.v2+json,application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json

need_value() { (($# > 1)) || usage_error "$1 needs a value"; }

while (($# > 0)); do
  case "$1" in
    -h | --help) print_usage; exit 0 ;;
    --registry) need_value "$@"; REGISTRY="$2"; shift ;;
    --registry=*) REGISTRY="${1#*=}" ;;
    --image) need_value "$@"; IMAGE="$2"; BUILD=0; shift ;;
    --image=*) IMAGE="${1#*=}"; BUILD=0 ;;
    --no-build) BUILD=0 ;;
    --render) RENDER=1 ;;
    --dry-run) DRY_RUN=1 ;;
    --json) JSON=1 ;;
    --no-wait) WAIT=0 ;;
    --timeout) need_value "$@"; TIMEOUT="$2"; shift ;;
    --timeout=*) TIMEOUT="${1#*=}" ;;
    --node) need_value "$@"; NODE="$2"; shift ;;
    --node=*) NODE="${1#*=}" ;;
    v0.1 | v0.2) SNAPSHOT="$1" ;;
    -*) usage_error "unknown option '$1'" ;;
    *) usage_error "unknown snapshot '$1' (v0.1 or v0.2)" ;;
  esac
  shift
done
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || usage_error "--timeout needs a number of seconds, not '$TIMEOUT'"
[[ "$NODE" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] ||
  usage_error "--node needs a host name or IPv4 address, not '$NODE'"
[[ "$REGISTRY" =~ ^[A-Za-z0-9.-]+(:[0-9]+)?$ ]] || usage_error "--registry needs HOST:PORT, not '$REGISTRY'"

case "$SNAPSHOT" in
  v0.1) POST_TAG=registry ;;
  v0.2) POST_TAG=slim ;;
esac
IMAGE="${IMAGE:-askeladden:$SNAPSHOT}"
REPO="$REGISTRY/askeladden"
K8S_DIR="$ASKELADDEN_ROOT/$SNAPSHOT/k8s"
KUBECTL_CMD=()
OVERLAY=''
# What --json reports, filled in as the steps go.
GIT_TAG='' DIGEST='' previous='' REVISION_AFTER='' ROLLED_BACK=false URL='' rendered=''
FAILURE='' FAILED_POD=''
# Where an interrupt finds it: prepare (nothing applied yet), rollout (from
# the apply on), undo (rolling back), rolled-out.
PHASE=prepare

# report_json: the --json object, on exit whatever the outcome.
report_json() {
  local rc="$1"
  jq -n --arg image "${DIGEST:+$REPO@$DIGEST}" --arg git_tag "$GIT_TAG" --arg digest "$DIGEST" \
    --arg before "$previous" --arg after "$REVISION_AFTER" --argjson rolled_back "$ROLLED_BACK" \
    --arg failure "$FAILURE" --arg failed_pod "$FAILED_POD" \
    --arg url "$URL" --arg kubectl "${KUBECTL_CMD[*]}" --argjson exit "$rc" \
    --arg manifests "$( ((RENDER)) && printf '%s' "$rendered")" '
    def orNull: if . == "" then null else . end;
    {image: ($image | orNull), git_tag: ($git_tag | orNull), digest: ($digest | orNull),
     revision_before: ($before | orNull | if . then tonumber else . end),
     revision_after: ($after | orNull | if . then tonumber else . end),
     rolled_back: $rolled_back, failure: ($failure | orNull), failed_pod: ($failed_pod | orNull),
     url: ($url | orNull), kubectl: ($kubectl | orNull), exit: $exit}
    + if $manifests == "" then {} else {manifests: $manifests} end'
}
on_exit() {
  local rc=$?
  [[ -z "$OVERLAY" ]] || rm -rf "$OVERLAY"
  if ((JSON)); then report_json "$rc"; fi
}
trap on_exit EXIT
# Every timeout below keeps its command in the terminal's process group
# (--foreground): a Ctrl-C must reach it.
kube() { timeout --foreground 60 "${KUBECTL_CMD[@]}" "$@"; }
# kubectl_line ARGS...: the command line a user types for it.
kubectl_line() {
  [[ "${KUBECTL_FROM:-}" != cluster.sh ]] || printf 'KUBECONFIG=%s ' "$KUBECONFIG"
  printf '%s' "${KUBECTL_CMD[*]} $*"
}

# revision: the Deployment's revision now (nothing when there is none).
revision() {
  kube -n "$NAMESPACE" get "deployment/$DEPLOYMENT" \
    -o 'jsonpath={.metadata.annotations.deployment\.kubernetes\.io/revision}' 2>/dev/null || true
}

# interrupted MESSAGE: the one line a Ctrl-C ends with.
interrupted() {
  printf '%s%s: interrupted:%s %s\n' "$C_RED" "$SCRIPT_NAME" "$C_RESET" "$*" >&2
  exit 130
}
on_interrupt() {
  trap '' INT TERM
  # The terminal echoed ^C; the line starts afresh.
  if [[ -t 2 ]]; then printf '\n' >&2; fi
  local pid now what
  # A build runs in a session of its own (see below): stop all of it.
  for pid in $(jobs -p); do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  case "$PHASE" in
    prepare)
      what="nothing was applied to the cluster"
      [[ -z "$DIGEST" ]] || what+="; $REPO:$GIT_TAG was pushed"
      ((RENDER)) || what+="; $REPO:$POST_TAG was not moved"
      interrupted "$what" ;;
    rollout)
      now="$(revision)"
      if [[ "$now" == "$previous" ]]; then
        interrupted "the Deployment was not changed (revision ${now:-none}); $REPO:$POST_TAG was not moved"
      elif [[ -z "$previous" ]]; then
        interrupted "the first rollout of $REPO@$DIGEST was left as it is, with nothing to roll back to; remove it: $(kubectl_line delete namespace "$NAMESPACE")"
      elif kube -n "$NAMESPACE" rollout undo "deployment/$DEPLOYMENT" >/dev/null 2>&1; then
        ROLLED_BACK=true REVISION_AFTER="$(revision)"
        interrupted "rolled back to the pods of revision $previous (watch: $(kubectl_line -n "$NAMESPACE" rollout status "deployment/$DEPLOYMENT")); $REPO:$POST_TAG was not moved"
      else
        interrupted "$REPO@$DIGEST is deployed, rolling out, and the rollback failed: $REPO:$POST_TAG names the old image; undo: $(kubectl_line -n "$NAMESPACE" rollout undo "deployment/$DEPLOYMENT")"
      fi ;;
    undo)
      interrupted "the rollback of $REPO@$DIGEST to revision $previous was applied and rolls out (watch: $(kubectl_line -n "$NAMESPACE" rollout status "deployment/$DEPLOYMENT")); $REPO:$POST_TAG was not moved" ;;
    rolled-out)
      now="$(registry_digest "$POST_TAG" 2>/dev/null)" || now=''
      if [[ "$now" == "$DIGEST" ]]; then
        interrupted "$REPO@$DIGEST is deployed and rolled out, and $REPO:$POST_TAG names it; only the smoke test was cut short"
      else
        interrupted "$REPO@$DIGEST is deployed and rolled out, but $REPO:$POST_TAG still names ${now:-nothing}; finish: docker tag $IMAGE $REPO:$POST_TAG && docker push $REPO:$POST_TAG"
      fi ;;
  esac
}
trap on_interrupt INT TERM
# One redeploy at a time touches the cluster and the registry.
((DRY_RUN)) || hold_lock redeploy "$WAIT"
LAST_STEP=7
((RENDER)) && LAST_STEP=4

progress() { step "[$1/$LAST_STEP] $2"; }

# --- 1. Preflight: every check, and nothing changed ------------------------

require_cmd docker curl jq git
for f in kustomization.yaml deployment.yaml; do
  [[ -f "$K8S_DIR/$f" ]] || die "missing manifest $SNAPSHOT/k8s/$f"
done

require_docker
if ((!BUILD)); then
  image_exists "$IMAGE" ||
    die "no local image $IMAGE (build it: make -C $SNAPSHOT image, or drop --no-build)"
fi

registry_host="${REGISTRY%:*}"
if [[ "$registry_host" == localhost ]] && ! getent ahostsv4 localhost >/dev/null 2>&1 &&
  getent ahostsv6 localhost >/dev/null 2>&1; then
  warn "localhost resolves to ::1 only: pushes to $REGISTRY may hang (use --registry 127.0.0.1:${REGISTRY##*:}, or add '127.0.0.1 localhost' to /etc/hosts)"
fi
registry_answers "$REGISTRY" ||
  die "no registry answers at http://$REGISTRY/v2/ (start one: scripts/registry.sh start, or: microk8s enable registry)"

git_sha="$(git -C "$ASKELADDEN_ROOT" rev-parse --short HEAD 2>/dev/null)" ||
  die "no git commit to tag the image with (commit first)"
GIT_TAG="$git_sha"
[[ -z "$(git -C "$ASKELADDEN_ROOT" status --porcelain 2>/dev/null)" ]] || GIT_TAG="$git_sha-dirty"

# kustomize is kubectl's: --render needs a kubectl, not a cluster.
if ! find_kubectl && ! { ((RENDER)) && have "${KUBECTL_CMD[0]}"; }; then
  have "${KUBECTL_CMD[0]}" ||
    die "'${KUBECTL_CMD[*]}' is not installed (install microk8s or kubectl, or set KUBECTL)"
  server="$(kube config view --minify -o 'jsonpath={.clusters[0].cluster.server}' 2>/dev/null || true)"
  die "no Kubernetes cluster answers to '${KUBECTL_CMD[*]}' ${server:+at $server}${server:-(no cluster configured)} (start one: scripts/cluster.sh start, or microk8s; or set KUBECONFIG or KUBECTL)"
fi

checked="Docker engine, registry $REGISTRY, git $GIT_TAG"
((RENDER)) || checked+=", cluster via '${KUBECTL_CMD[*]}'"
progress 1 "preflight: $checked"

if ((DRY_RUN)); then
  ((BUILD)) && info "2. build:   scripts/base-images.sh; make -C $SNAPSHOT image   (-> $IMAGE)"
  ((BUILD)) || info "2. build:   skipped, using $IMAGE"
  if ((RENDER)); then
    info "3. push:    $REPO:$GIT_TAG and $REPO:$POST_TAG"
    info "4. verify:  both tags in http://$REGISTRY/v2/askeladden/tags/list, at the pushed digest"
    info "   then print $SNAPSHOT/k8s/ through an overlay that pins image $REPO to the digest the push gives"
  else
    info "3. push:    $REPO:$GIT_TAG"
    info "4. verify:  the tag in http://$REGISTRY/v2/askeladden/tags/list, at the pushed digest"
    info "5. apply:   $SNAPSHOT/k8s/ through an overlay that pins image $REPO to the digest the push gives"
    info "6. wait:    for the rollout, up to ${TIMEOUT}s, watching the new pods (rollout undo on failure),"
    info "            then push $REPO:$POST_TAG: the post's tag moves only once the rollout succeeded"
    info "7. smoke:   GET http://$NODE:<nodePort of $SERVICE>/"
  fi
  ok "dry run: nothing was built, pushed or applied"
  exit 0
fi

# --- 2. Build ----------------------------------------------------------------

if ((BUILD)); then
  progress 2 "building $IMAGE (scripts/base-images.sh, make -C $SNAPSHOT image)"
  mkdir -p "$ASKELADDEN_STATE"
  base_log="$ASKELADDEN_STATE/redeploy-base-images.log"
  build_log="$ASKELADDEN_STATE/redeploy-build.log"
  # No image can be pulled on some machines: base-images.sh makes sure the
  # Dockerfiles' FROM images exist, and returns at once when they do. Both
  # steps may take minutes: run_logged says every 30 s that they are alive.
  # Each runs in a session of its own, which on_interrupt stops as a whole.
  if ! run_logged "$base_log" "base images" setsid "$ASKELADDEN_ROOT/scripts/base-images.sh"; then
    tail -n 20 "$base_log" >&2
    die "scripts/base-images.sh failed; full log: $base_log"
  fi
  if ! run_logged "$build_log" "make image" setsid make -C "$ASKELADDEN_ROOT/$SNAPSHOT" image IMAGE="$IMAGE"; then
    tail -n 20 "$build_log" >&2
    die "make -C $SNAPSHOT image failed; full log: $build_log"
  fi
  image_exists "$IMAGE" ||
    die "make -C $SNAPSHOT image succeeded but left no image $IMAGE"
else
  progress 2 "not building: using the local image $IMAGE"
fi

# --- 3. Tag and push ---------------------------------------------------------

# registry_digest REF: the digest the registry answers for askeladden:REF
# (its Docker-Content-Digest header).
registry_digest() {
  curl -fsS --max-time 10 -o /dev/null -D - -H "Accept: $MANIFEST_TYPES" \
    "http://$REGISTRY/v2/askeladden/manifests/$1" |
    tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: *//p'
}

# push_tag TAG: push $REPO:TAG and print the digest the registry stored.
push_tag() {
  local out digest
  docker tag "$IMAGE" "$REPO:$1"
  out="$(timeout --foreground 600 docker push "$REPO:$1" 2>&1)" || {
    printf '%s\n' "$out" | tail -n 5 >&2
    die "docker push $REPO:$1 failed"
  }
  digest="$(registry_digest "$1")" || digest=''
  [[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] ||
    die "the registry answers no digest for $REPO:$1 after the push"
  printf '%s\n' "$digest"
}

# push_post_tag: push $REPO:$POST_TAG, which must store the digest pushed
# as the git tag.
push_post_tag() {
  local post_digest
  post_digest="$(push_tag "$POST_TAG")"
  [[ "$post_digest" == "$DIGEST" ]] ||
    die "the two pushes stored different digests ($DIGEST, $post_digest): was $IMAGE rebuilt meanwhile?"
}

# verify_tags TAG...: the registry lists each TAG, and it and the digest
# resolve to $DIGEST.
verify_tags() {
  local tags tag ref got
  tags="$(curl -fsS --max-time 10 "http://$REGISTRY/v2/askeladden/tags/list")" ||
    die "could not read http://$REGISTRY/v2/askeladden/tags/list"
  for tag in "$@"; do
    jq -e --arg t "$tag" '.tags | index($t)' <<<"$tags" >/dev/null ||
      die "the registry does not list tag $tag: $(jq -c .tags <<<"$tags")"
  done
  for ref in "$@" "$DIGEST"; do
    got="$(registry_digest "$ref")" ||
      die "the registry has no manifest for askeladden:$ref"
    [[ "$got" == "$DIGEST" ]] ||
      die "askeladden:$ref resolves to ${got:-nothing}, not the pushed $DIGEST"
  done
}

# The immutable tag first. The post's tag, the one people pull and `kubectl
# apply -k` deploys, moves only once the new image is known to roll out (with
# --render there is no rollout: both are pushed).
if ((RENDER)); then
  progress 3 "pushing $REPO:$GIT_TAG and :$POST_TAG"
  DIGEST="$(push_tag "$GIT_TAG")"
  push_post_tag
else
  progress 3 "pushing $REPO:$GIT_TAG"
  DIGEST="$(push_tag "$GIT_TAG")"
fi

# --- 4. Verify through the registry API -------------------------------------

progress 4 "verifying $REPO tags through http://$REGISTRY/v2/"
if ((RENDER)); then verify_tags "$GIT_TAG" "$POST_TAG"; else verify_tags "$GIT_TAG"; fi
info "$REPO@$DIGEST"

# What is applied: vX/k8s/ through a temporary overlay (scripts/redeploy/overlay.sh).
OVERLAY="$(mktemp -d)"
write_overlay "$OVERLAY" "redeploy.sh $SNAPSHOT: askeladden:$POST_TAG, git $GIT_TAG, $REPO@$DIGEST"
rendered="$(render_overlay "$OVERLAY")" ||
  die "kubectl kustomize could not render $SNAPSHOT/k8s/ with the overlay"
if [[ "$(grep -c '^ *image: ' <<<"$rendered")" != 1 ]] || ! grep -qx " *image: $REPO@$DIGEST" <<<"$rendered"; then
  die "$SNAPSHOT/k8s/ needs exactly one container, whose image is $MANIFEST_IMAGE:TAG"
fi

if ((RENDER)); then
  ((JSON)) || printf '%s\n' "$rendered"
  ok "rendered $SNAPSHOT/k8s with $REPO@$DIGEST; nothing applied"
  exit 0
fi

# --- 5. Apply ----------------------------------------------------------------

previous="$(revision)"
progress 5 "applying namespace $NAMESPACE, service $SERVICE, deployment $DEPLOYMENT"
PHASE=rollout
applied="$(printf '%s\n' "$rendered" | kube apply -f - 2>&1)" || {
  printf '%s\n' "$applied" >&2
  die "kubectl apply failed"
}
while IFS= read -r line; do info "$line"; done <<<"$applied"

# --- 6. Wait for the rollout, or roll back -----------------------------------

progress 6 "waiting for the rollout (up to ${TIMEOUT}s)"
if ! watch_rollout "$TIMEOUT"; then
  explain_failure
  [[ -n "$previous" ]] ||
    die "the first rollout of $DEPLOYMENT failed ($FAILURE); there is nothing to roll back to (delete it: $(kubectl_line delete namespace "$NAMESPACE"))"
  info "rolling back to revision $previous"
  PHASE=undo
  kube -n "$NAMESPACE" rollout undo "deployment/$DEPLOYMENT" >&2 ||
    die "the rollout failed ($FAILURE), and so did rollout undo: fix it by hand"
  ROLLED_BACK=true
  failure="$FAILURE" failed_pod="$FAILED_POD"
  watch_rollout "$TIMEOUT" || true
  FAILURE="$failure" FAILED_POD="$failed_pod"
  REVISION_AFTER="$(revision)"
  die "the rollout of $REPO@$DIGEST failed ($FAILURE) and was rolled back; $REPO:$POST_TAG was left where it was"
fi
PHASE=rolled-out
REVISION_AFTER="$(revision)"
push_post_tag
verify_tags "$GIT_TAG" "$POST_TAG"
info "$REPO:$POST_TAG now names $DIGEST"

# --- 7. Smoke-test the NodePort ----------------------------------------------

node_port="$(kube -n "$NAMESPACE" get "service/$SERVICE" -o 'jsonpath={.spec.ports[0].nodePort}')" ||
  die "could not read the nodePort of service $SERVICE"
URL="http://$NODE:$node_port/"
progress 7 "smoke-testing $URL"
wait_until 20 "" curl -fsS --max-time 3 -o /dev/null "$URL" ||
  die "the rollout succeeded but $URL does not answer (is $NODE a node? try --node)"
ok "askeladden $SNAPSHOT ($GIT_TAG) is live at $URL"
