#!/usr/bin/env bash
# Usage: tests/cluster_test.sh [--help]
#
# The cluster half of the lesson, for real, on whatever cluster answers:
#   cluster.sh  usage errors; status and kubeconfig when it is stopped; a port
#               it needs taken by something else refused before anything
#               changed; start returns with the node Ready and the
#               kubeconfig's path; start twice is a no-op; at the end, stop
#               leaves no process, no pod container, no KUBE-* iptables chain,
#               and the sysctls and host directories as they were
#   faults      (tests/cluster/faults.sh) start cut short in a terminal by
#               Ctrl-C at several moments, SIGTERM and a failure, and started
#               again after crashes: each leaves the machine as it was before
#               the first start; only the NodePort listens beyond loopback
#   post 1      askeladden:v0.1 pushed as localhost:32000/askeladden:registry,
#               `kubectl apply -k v0.1/k8s/`: two pods Ready, the NodePort
#               answers the line
#   post 2      askeladden:v0.2 pushed as :slim, `kubectl apply -k v0.2/k8s/`:
#               the rolling update answers every request of a loop against the
#               NodePort with 200; describe pod shows the new image; rollout
#               history shows both revisions
#   redeploy    tests/redeploy_test.sh, whose cluster section runs against it
#               (its own closing line counts its checks)
#
# kubectl is the one find_kubectl (common/lib.sh) picks, as redeploy.sh and
# the docs test do. When no cluster answers, this starts
# scripts/cluster.sh's and stops it at the end, whatever happened; when that
# one ran already, it is used and left running (its stop is then not tested).
# Needs the registry on localhost:32000; builds the images askeladden:v0.1
# and askeladden:v0.2 when they are missing. Closes with "cluster: N passed, N failed[,
# N skipped]"; exits 1 on a failure.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

accept_only_help "$@"
require_cmd docker curl jq

CLUSTER_SH="$ASKELADDEN_ROOT/scripts/cluster.sh"
# Its SYSCTLS, RUN and our_pids, the very ones start and stop use.
# shellcheck source=scripts/cluster.sh
source "$CLUSTER_SH"
# Interrupts, crashes and listeners.
# shellcheck source=tests/cluster/faults.sh
source "$ASKELADDEN_ROOT/tests/cluster/faults.sh"
REGISTRY=localhost:32000
NAMESPACE=askeladden-dev
DEPLOYMENT=deployment-askeladden-dev
URL=http://127.0.0.1:30008/
LINE="Strange women lying in ponds distributing swords is no basis for a system of government."

CAPTURED="$(mktemp -d)"
OURS=0       # the cluster under test is scripts/cluster.sh's
STARTED=0    # and this test started it
LISTENER=

sysctl_values() {
  local name
  for name in "${SYSCTLS[@]}"; do
    printf '%s=%s\n' "$name" "$(cat "/proc/sys/${name//.//}" 2>/dev/null || echo -)"
  done
}
kube_chains() {
  local tool
  for tool in iptables ip6tables; do
    have "$tool-save" && "$tool-save" 2>/dev/null | awk -v t="$tool" '/^\*/ { table = $0 } /^:KUBE-/ { print t, table, $1 }'
  done | sort
}
host_dirs() { ls -d /var/lib/kubelet /usr/libexec/kubernetes 2>/dev/null || true; }
pod_containers() { docker ps -aq --filter label=io.kubernetes.docker.type; }
machine_state() {
  sysctl_values
  kube_chains
  # On a new machine there is no run directory yet: that is a state too.
  if [[ -d "$RUN" ]]; then find "$RUN" -maxdepth 1 -printf '%f %T@\n' | sort; fi
}

cleanup() {
  [[ -z "$LISTENER" ]] || kill "$LISTENER" 2>/dev/null || true
  if ((STARTED)); then
    "$CLUSTER_SH" stop >/dev/null 2>&1 || true
  fi
  rm -rf "$CAPTURED"
}
trap cleanup EXIT
# Interrupted or terminated, it still stops the cluster it started.
trap 'exit 130' INT
trap 'exit 143' TERM

# --- cluster.sh: usage, and what it says when stopped --------------------------------

test_usage() {
  local args
  for args in "" "bogus" "start stop" "--verbose"; do
    # shellcheck disable=SC2086
    capture "$CLUSTER_SH" $args
    check "cluster.sh ${args:-(no action)}: exit 2 and one line" test "$RC" -eq 2 -a "$(err_lines)" -eq 1
  done
  capture "$CLUSTER_SH" --help
  check "cluster.sh --help: exit 0 and the usage" test "$RC" -eq 0 -a -n "$(grep -F 'Usage: scripts/cluster.sh' "$CAPTURED/out")"
}

# The binaries are looked for where Kubernetes' build puts this machine's:
# Go's own platform, not a fixed linux/amd64.
test_platform() {
  check_eq "cluster.sh builds for this machine's platform" "$(go env GOOS)/$(go env GOARCH)" "$PLATFORM"
}

test_stopped() {
  capture "$CLUSTER_SH" status
  check "status when stopped: exit 1, says no cluster runs" test "$RC" -eq 1 -a -n "$(grep -F 'no cluster started by' "$CAPTURED/err")"
  capture "$CLUSTER_SH" kubeconfig
  check "kubeconfig when stopped: exit 1, one line" test "$RC" -eq 1 -a "$(err_lines)" -eq 1
}

# Something else on 30008 (the NodePort): one line naming it, exit 1, and
# nothing changed: no process, no sysctl, no chain, no file in the run directory.
test_port_taken() {
  local before
  before="$(machine_state)"
  socat TCP-LISTEN:30008,bind=127.0.0.1,reuseaddr,fork /dev/null &
  LISTENER=$!
  if ! wait_until 10 "" port_open 127.0.0.1 30008; then
    check_fail "a taken port: could not listen on 30008 for the test"
    return 0
  fi
  capture "$CLUSTER_SH" start
  kill "$LISTENER" 2>/dev/null || true
  wait "$LISTENER" 2>/dev/null || true
  LISTENER=
  check_eq "a taken port: start exits 1" 1 "$RC"
  check "a taken port: one line naming port 30008" test "$(err_lines)" -eq 1 -a -n "$(grep -F 'port 30008 is taken' "$CAPTURED/err")"
  check "a taken port: refused within 10 s" test "$ELAPSED" -le 10
  check_none "a taken port: no cluster process" our_pids
  check_eq "a taken port: nothing changed on the machine" "$before" "$(machine_state)"
}

# Two runs at once, while no cluster runs: a stop holds the lock while it is
# blocked writing its line to a pipe the test has filled. A start --no-wait
# then exits 1 naming it, changing nothing; a second stop waits for it.
test_one_run_at_a_time() {
  local first second before
  before="$(machine_state)"
  fill_pipe "$CAPTURED/first.fifo"
  "$CLUSTER_SH" stop 2>"$CAPTURED/first.fifo" &
  first=$!
  if ! wait_until 20 "" lock_held cluster; then
    check_fail "two at once: the first stop never took the lock"
    kill "$first" 2>/dev/null || true
    exec 8>&-
    return 0
  fi
  capture "$CLUSTER_SH" start --no-wait
  check_eq "two at once: start --no-wait exits 1" 1 "$RC"
  check "two at once: in one line naming the stop's pid and command" test "$(err_lines)" -eq 1 -a \
    -n "$(grep -F "holds the lock (pid $first: bash $CLUSTER_SH stop" "$CAPTURED/err")"
  check_eq "two at once: start --no-wait changed nothing" "$before" "$(machine_state)"
  "$CLUSTER_SH" stop 2>"$CAPTURED/second.err" &
  second=$!
  check "two at once: a second stop waits, naming the first" \
    wait_until 20 "" grep -qF "waiting for another cluster run, which holds the lock (pid $first:" "$CAPTURED/second.err"
  check_eq "two at once: and has not begun while the first holds the lock" 0 "$(grep -cF 'no cluster started' "$CAPTURED/second.err")"
  finish_two_runs "$first" "$second"
  check_eq "two at once: both stops exit 0, one after the other" "0 0" "$RC_FIRST $RC_SECOND"
  check "two at once: the second stop ran once the first was done" grep -qF "no cluster started" "$CAPTURED/second.err"
}

# --- which cluster ------------------------------------------------------------

# Another cluster than scripts/cluster.sh's answers to find_kubectl's kubectl.
another_cluster_answers() { find_kubectl && [[ "$KUBECTL_FROM" != cluster.sh ]]; }

# With neither KUBECTL nor KUBECONFIG, redeploy.sh finds scripts/cluster.sh's
# cluster by itself, when no other answers.
test_found_without_kubeconfig() {
  if (unset KUBECTL KUBECONFIG; find_kubectl && [[ "$KUBECTL_FROM" != cluster.sh ]]); then
    check_skip "redeploy.sh finds scripts/cluster.sh's cluster" "another cluster answers without KUBECTL or KUBECONFIG"
    return 0
  fi
  if ! registry_answers "$REGISTRY"; then
    check_fail "redeploy.sh's dry run needs the registry on $REGISTRY (scripts/registry.sh start)"
    return 0
  fi
  capture env -u KUBECTL -u KUBECONFIG "$ASKELADDEN_ROOT/scripts/redeploy.sh" --dry-run
  check_eq "redeploy.sh without KUBECTL or KUBECONFIG: the dry run finds scripts/cluster.sh's cluster" 0 "$RC"
  check "redeploy.sh without KUBECTL or KUBECONFIG: through kubectl" said "cluster via 'kubectl'"
}

# setup.sh kube warns when the kubectl it finds is more than one minor
# version from the cluster that answers. The cluster is this real one; a
# wrapper around its kubectl reports the client's minor moved by N.
test_kubectl_skew() {
  local wrapper="$CAPTURED/kubectl-skewed" real n warned
  real="$(command -v "${K[0]}")"
  for n in 1 -1 2 -2; do
    {
      echo '#!/bin/bash'
      echo 'if [[ " $* " == *" version "* && " $* " == *" -o json "* ]]; then'
      printf '  %q "$@" | jq %q\n' "$real" ".clientVersion.minor = ((.serverVersion.minor | tonumber) + ($n) | tostring)"
      printf 'else exec %q "$@"; fi\n' "$real"
    } >"$wrapper"
    chmod +x "$wrapper"
    capture env KUBECTL="$wrapper" "$ASKELADDEN_ROOT/scripts/setup.sh" kube
    warned="$(grep -c 'more than one minor version apart' "$CAPTURED/err" || true)"
    if ((n == 1 || n == -1)); then
      check_eq "setup.sh kube: a kubectl $n minor from the cluster: exit 0, no warning" "0 0" "$RC $warned"
    else
      check_eq "setup.sh kube: a kubectl $n minors from the cluster: exit 0, one warning line" "0 1" "$RC $warned"
    fi
  done
}

start_ours() {
  STARTED=1
  capture "$CLUSTER_SH" start
  check_eq "start: exit 0" 0 "$RC"
  check "start: the node is Ready (in $ELAPSED s, binaries built or cached)" said "node 127.0.0.1 Ready"
  check_eq "start: prints the kubeconfig's path" "$RUN/certs/admin.kubeconfig" "$(tail -n 1 "$CAPTURED/out")"
  info "start took $ELAPSED s"
  capture "$CLUSTER_SH" status
  check "status: exit 0, the node Ready" test "$RC" -eq 0 -a -n "$(grep -F 'Ready' "$CAPTURED/err")"
  local pids
  pids="$(our_pids | sort)"
  capture "$CLUSTER_SH" start
  check "start twice: exit 0 within 10 s, nothing to do" test "$RC" -eq 0 -a "$ELAPSED" -le 10 -a -n "$(grep -F 'nothing to do' "$CAPTURED/err")"
  check_eq "start twice: the same processes" "$pids" "$(our_pids | sort)"
  check_eq "start twice: six processes" 6 "$(wc -l <<<"$pids" | tr -d ' ')"
}

stop_ours() {
  capture "$CLUSTER_SH" stop
  STARTED=0
  check_eq "stop: exit 0" 0 "$RC"
  as_before "stop"
  capture "$CLUSTER_SH" status
  check_eq "stop: status says it is stopped" 1 "$RC"
}

# --- the lesson ------------------------------------------------------------------

K=()
kube() { timeout 120 "${K[@]}" "$@"; }

push() {
  docker tag "$1" "$REGISTRY/askeladden:$2" &&
    timeout 300 docker push "$REGISTRY/askeladden:$2" >"$CAPTURED/push.log" 2>&1
}

ready_pods() {
  kube -n "$NAMESPACE" get pods -l app.kubernetes.io/name=askeladden \
    -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '^True$'
}

fresh_namespace() {
  kube delete namespace "$NAMESPACE" --ignore-not-found --wait=true --timeout=120s >/dev/null 2>&1 || true
}

test_post_1() {
  fresh_namespace
  check "post 1: askeladden:v0.1 pushed as $REGISTRY/askeladden:registry" push askeladden:v0.1 registry
  capture kube apply -k "$ASKELADDEN_ROOT/v0.1/k8s/"
  check "post 1: kubectl apply -k v0.1/k8s/ exits 0" test "$RC" -eq 0
  capture kube -n "$NAMESPACE" rollout status "deployment/$DEPLOYMENT" --timeout=120s
  check "post 1: the rollout finishes" test "$RC" -eq 0
  check_eq "post 1: two pods Ready" 2 "$(ready_pods)"
  wait_until 20 "" curl -fsS --max-time 3 -o /dev/null "$URL" || true
  check_eq "post 1: curl $URL answers the line" "$LINE" "$(curl -s --max-time 5 "$URL")"
}

# A bounded request loop against the NodePort: one status code a line, until
# told to stop or 3000 requests.
request_loop() {
  local i
  for ((i = 0; i < 3000; i++)); do
    [[ -e "$CAPTURED/stop-loop" ]] && return 0
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 "$URL" || true
  done
}

test_post_2() {
  check "post 2: askeladden:v0.2 pushed as $REGISTRY/askeladden:slim" push askeladden:v0.2 slim
  rm -f "$CAPTURED/stop-loop"
  request_loop >"$CAPTURED/codes" &
  local loop=$!
  wait_until 10 "" test -s "$CAPTURED/codes" || true
  capture kube apply -k "$ASKELADDEN_ROOT/v0.2/k8s/"
  check "post 2: kubectl apply -k v0.2/k8s/ exits 0" test "$RC" -eq 0
  capture kube -n "$NAMESPACE" rollout status "deployment/$DEPLOYMENT" --timeout=120s
  check "post 2: the rolling update finishes" test "$RC" -eq 0
  # A few more requests once the old pods are gone.
  local n
  n="$(wc -l <"$CAPTURED/codes")"
  wait_until 10 "" test "$(wc -l <"$CAPTURED/codes")" -ge $((n + 20)) || true
  touch "$CAPTURED/stop-loop"
  wait "$loop" || true
  local total ok
  total="$(wc -l <"$CAPTURED/codes" | tr -d ' ')" ok="$(grep -c '^200$' "$CAPTURED/codes" || true)"
  info "the request loop: $ok of $total answered 200"
  check "post 2: the request loop ran through the update ($total requests)" test "$total" -ge 50
  check_eq "post 2: every request answered 200" "$total" "$ok"
  check_eq "post 2: two pods Ready" 2 "$(ready_pods)"
  check "post 2: describe pod shows the new image" \
    grep -qE "Image: +$REGISTRY/askeladden:slim" <(kube -n "$NAMESPACE" describe pod -l app.kubernetes.io/name=askeladden)
  check "post 2: no pod runs the old image" \
    bash -c '! grep -q askeladden:registry' <(kube -n "$NAMESPACE" get pods -o jsonpath='{.items[*].spec.containers[*].image}')
  check_eq "post 2: rollout history shows both revisions" "1 2" \
    "$(kube -n "$NAMESPACE" rollout history "deployment/$DEPLOYMENT" | awk '$1 ~ /^[0-9]+$/ { print $1 }' | paste -sd ' ')"
  check_eq "post 2: curl $URL answers the line" "$LINE" "$(curl -s --max-time 5 "$URL")"
}

# --- main -------------------------------------------------------------------------

test_usage
test_platform
if another_cluster_answers; then
  K=("${KUBECTL_CMD[@]}")
  info "another cluster answers to '${K[*]}' (chosen by $KUBECTL_FROM): testing against it"
  export KUBECTL="${K[*]}"
  check_skip "cluster.sh start, start twice, stop" "another cluster answers to '${K[*]}'"
elif "$CLUSTER_SH" status >/dev/null 2>&1; then
  OURS=1
  info "scripts/cluster.sh's cluster runs already: using it, and leaving it running"
  check_skip "cluster.sh stop" "its cluster ran before this test, which leaves it running"
else
  OURS=1
  test_stopped
  test_one_run_at_a_time
  test_port_taken
  take_baseline
  start_ours
fi
if ((OURS)); then
  test_found_without_kubeconfig
  unset KUBECTL
  KUBECONFIG="$("$CLUSTER_SH" kubeconfig)" || die "scripts/cluster.sh start succeeded, but kubeconfig fails"
  export KUBECONFIG
  find_kubectl || die "scripts/cluster.sh's cluster runs, but does not answer to kubectl with its kubeconfig"
  K=("${KUBECTL_CMD[@]}")
  test_kubectl_skew
fi

# The posts' images, built when they are missing (Docker's cache makes that quick).
missing=()
for image in askeladden:v0.1 askeladden:v0.2; do
  image_exists "$image" && continue
  info "building $image (scripts/base-images.sh, make -C ${image#askeladden:} image)"
  # shellcheck disable=SC2016
  run_logged "$CAPTURED/build.log" "$image" bash -c '"$1/scripts/base-images.sh" && make -C "$1/$2" image' _ \
    "$ASKELADDEN_ROOT" "${image#askeladden:}" || tail -n 20 "$CAPTURED/build.log" >&2
  image_exists "$image" || missing+=("$image")
done
if ((${#missing[@]} > 0)); then
  check_fail "the lesson needs the images ${missing[*]}, which could not be built"
elif ! registry_answers "$REGISTRY"; then
  check_fail "the lesson needs the registry on $REGISTRY (scripts/registry.sh start)"
else
  test_post_1
  test_post_2
  if ((OURS)); then test_listeners; fi
fi

# redeploy.sh's own tests, against this cluster: their closing line is their own.
redeploy_rc=0
"$ASKELADDEN_ROOT/tests/redeploy_test.sh" || redeploy_rc=1

# With the binaries built by now, start is cut short at moments of its own.
if ((STARTED)); then
  test_crashes
  stop_ours
  # Whatever an interrupted start leaves, the cleanup stops.
  STARTED=1
  test_interrupts
fi
summary_rc=0
checks_summary cluster || summary_rc=1
((summary_rc == 0 && redeploy_rc == 0))
