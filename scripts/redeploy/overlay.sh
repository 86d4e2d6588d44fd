# The temporary kustomize overlay scripts/redeploy.sh applies: vX/k8s/ as its
# base, the image pinned by digest, the change cause (what `kubectl rollout
# history` shows) patched in. Sourced by scripts/redeploy.sh, whose
# variables (K8S_DIR, MANIFEST_IMAGE, REPO, DIGEST, DEPLOYMENT, NAMESPACE) it
# uses.
# shellcheck shell=bash

# write_overlay DIR CAUSE: the overlay, in the empty directory DIR. kubectl
# 1.20's kustomize (v2.0.3) takes a directory only under bases:, by a
# relative path, and a patch only from a file.
write_overlay() {
  local dir="$1" cause="$2"
  cat >"$dir/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
bases:
  - $(realpath --relative-to="$dir" "$K8S_DIR")
images:
  - name: $MANIFEST_IMAGE
    newName: $REPO
    digest: $DIGEST
patchesStrategicMerge:
  - change-cause.yaml
YAML
  cat >"$dir/change-cause.yaml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $DEPLOYMENT
  namespace: $NAMESPACE
  annotations:
    kubernetes.io/change-cause: $(jq -n --arg c "$cause" '$c')
YAML
}

# render_overlay DIR: what kubectl kustomize makes of it, on stdout. Newer
# kustomize warns that bases: and patchesStrategicMerge are old spellings;
# they are the ones 1.20 reads, so those two warnings are left out.
render_overlay() {
  local dir="$1"
  if ! kube kustomize "$dir" 2>"$dir/stderr"; then
    cat "$dir/stderr" >&2
    return 1
  fi
  grep -v "^# Warning: '\(bases\|patchesStrategicMerge\)' is deprecated" "$dir/stderr" >&2 || true
}
