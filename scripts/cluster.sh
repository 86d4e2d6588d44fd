#!/usr/bin/env bash
# Usage: scripts/cluster.sh [--no-wait] start|stop|status|kubeconfig
#        scripts/cluster.sh --help
#
# A single-node Kubernetes 1.20 cluster on this machine, for a reader without
# microk8s: etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# the kubelet and kube-proxy as local processes, started by Kubernetes' own
# hack/local-up-cluster.sh, with the project's Docker engine as the container
# runtime (dockershim). Built once from Debian's `kubernetes` source package.
#
#   start       build the binaries if they are not built yet (about 11 minutes
#               on 2 cores, once: cached under $ASKELADDEN_STATE/cluster, keyed
#               by the source version and our patches), start the cluster and
#               return when the node is Ready; prints the kubeconfig's path.
#               Does nothing when it runs already.
#   stop        stop the processes start started (and only those), remove the
#               pods' containers, put back the sysctls, iptables rules and
#               directories start changed
#   status      say whether the cluster runs and its node is Ready; exit 1 when
#               it does not run or the node is not Ready
#   kubeconfig  print the kubeconfig's path (exit 1 when the cluster is not
#               running); use: export KUBECONFIG="$(scripts/cluster.sh kubeconfig)"
#
# One start or stop at a time: the second waits for the first (it holds the
# lock $ASKELADDEN_STATE/locks/cluster.lock), saying so in one line; with
# --no-wait it exits 1 instead.
#
# What start changes on the machine, and stop puts back: the sysctls the
# kubelet and kube-proxy set (vm.overcommit_memory, vm.panic_on_oom,
# kernel.panic, kernel.panic_on_oops, kernel.keys.root_max*,
# net.ipv4.conf.all.route_localnet), their KUBE-* iptables chains and rules,
# the kubepods cgroups, the pods' logs under /var/log/pods and
# /var/log/containers, and /var/lib/kubelet/device-plugins and
# /usr/libexec/kubernetes, which the kubelet and the controller manager
# create (when they were not there before). Everything else (certificates, etcd's data, the
# kubelet's directory, logs) lives under $ASKELADDEN_STATE/cluster/run; the
# image k8s.gcr.io/pause:3.2 (built from source) stays in the Docker engine.
# Ports used: 2379 2380 6443 10248 10249 10250 10251 10252 10256 10257 10259,
# all on 127.0.0.1 only, and the NodePort 30008, the one reachable from other
# machines (as on microk8s); start refuses to run when one is taken.
#
# start is all or nothing: Ctrl-C, a termination or a failure while it runs
# stops every process it started and puts the machine back, then says so in
# one line (exit 130, 143 or 1). After a crash (the cluster's processes
# killed, all or some, without stop), start first puts back what the crashed
# run had saved, then starts afresh.
#
# Needs root, a running Docker engine (scripts/setup.sh docker), kubectl
# (scripts/setup.sh kube) and the packages of scripts/setup.sh cluster.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common/lib.sh"
# shellcheck source=common/debian-source.sh
source "$ASKELADDEN_ROOT/common/debian-source.sh"

CLUSTER_DIR="$ASKELADDEN_STATE/cluster"
RUN="$CLUSTER_DIR/run"
KUBECONFIG_FILE="$RUN/certs/admin.kubeconfig"
NODE=127.0.0.1
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
PROCESSES=(etcd "${BINARIES[@]}")
PORTS=(2379 2380 6443 10248 10249 10250 10251 10252 10256 10257 10259 30008)
SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.ipv4.conf.all.route_localnet)
PATCH_DIR="$ASKELADDEN_ROOT/scripts/cluster"
PAUSE_IMAGE=k8s.gcr.io/pause:3.2
# Where Kubernetes' build puts this machine's binaries: _output/local/bin/PLATFORM.
case "$(uname -m)" in
  x86_64) PLATFORM=linux/amd64 ;;
  aarch64 | arm64) PLATFORM=linux/arm64 ;;
  *) PLATFORM="linux/$(uname -m)" ;;
esac
# Directories the kubelet and the controller manager create wherever they are
# told to keep their files: the device plugins' sockets, flex volume plugins.
HOST_DIRS=(/var/lib/kubelet /usr/libexec/kubernetes)

# Commands start needs, and the Debian package that has each. All of them
# come with scripts/setup.sh cluster.
declare -A PACKAGE_OF=(
  [etcd]=etcd-server [cfssl]=golang-cfssl [cfssljson]=golang-cfssl [conntrack]=conntrack
  [socat]=socat [rsync]=rsync [go]=golang-go [dpkg-source]=dpkg-dev [gcc]=build-essential
  [make]=make [openssl]=openssl [iptables]=iptables [patch]=patch [kubectl]=kubernetes-client
  [docker]=docker.io
)

require_packages() {
  local cmd
  for cmd in "${!PACKAGE_OF[@]}"; do
    have "$cmd" ||
      die "'$cmd' is not installed (package ${PACKAGE_OF[$cmd]}; install it: scripts/setup.sh cluster)"
  done
}

# ---- processes --------------------------------------------------------------

# our_pids: the running processes of this cluster, "NAME PID" a line. A
# process is ours when it runs one of the cluster's programs with an argument
# under our run directory (etcd's data, a certificate, a configuration): a
# pid alone could belong to anything after a reboot.
our_pids() {
  local dir pid argv0 name
  for dir in /proc/[0-9]*; do
    pid="${dir#/proc/}"
    argv0=''
    { IFS= read -r -d '' argv0 <"$dir/cmdline"; } 2>/dev/null || [[ -n "$argv0" ]] || continue
    name="${argv0##*/}"
    [[ " ${PROCESSES[*]} " == *" $name "* ]] || continue
    tr '\0' '\n' 2>/dev/null <"$dir/cmdline" | grep -F -- "$RUN/" >/dev/null || continue
    printf '%s %s\n' "$name" "$pid"
  done
}

running() { [[ -n "$(our_pids)" ]]; }

kubectl_ours() { kubectl --kubeconfig "$KUBECONFIG_FILE" --request-timeout=5s "$@"; }

node_ready() {
  [[ "$(kubectl_ours get node "$NODE" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

# ---- the build ---------------------------------------------------------------

# Our patches to Kubernetes' source, for this machine. Where a negative
# oom_score_adj is refused (root without CAP_SYS_RESOURCE, as in some
# containers), the kubelet must not ask for one for the pods' sandboxes or the
# Guaranteed class, or every sandbox fails to start.
build_patches() {
  if ! (echo -1 >/proc/self/oom_score_adj) 2>/dev/null; then
    printf '%s\n' "$PATCH_DIR/oom-score-adj.patch"
  fi
}

# tree_for HASH: the source tree for these patches, if there is one: built
# (it has .askeladden-built) or cut short (.askeladden-patched).
tree_for() {
  local tree
  for tree in "$CLUSTER_DIR"/kubernetes-*-"$1"; do
    [[ -f "$tree/.askeladden-patched" ]] || continue
    printf '%s\n' "$tree"
    return 0
  done
  return 1
}

# Sets TREE: the source tree whose binaries are built, building them first
# when they are not. A build that was cut short resumes where it stopped.
build() {
  local patches=() hash
  mapfile -t patches < <(build_patches)
  if ((${#patches[@]} > 0)); then
    hash="$(cat "${patches[@]}" | sha256sum | cut -c 1-12)"
  else
    hash=unpatched
  fi
  if TREE="$(tree_for "$hash")" && [[ -f "$TREE/.askeladden-built" ]]; then
    step "kubernetes: built already, cached in $TREE"
    return 0
  fi
  local started=$SECONDS
  mkdir -p "$CLUSTER_DIR"
  if [[ -z "$TREE" ]]; then
    step "kubernetes: downloading Debian's source package (log: $CLUSTER_DIR/fetch.log)"
    fetch_debian_source "$CLUSTER_DIR/fetch" kubernetes "$CLUSTER_DIR/fetch.log"
    [[ "$DEBIAN_SOURCE_VERSION" == *1.20.* ]] ||
      die "Debian's kubernetes source is $DEBIAN_SOURCE_VERSION, not 1.20: its kubelet has no dockershim"
    info "got kubernetes $DEBIAN_SOURCE_VERSION in $((SECONDS - started)) s"
    # Where it is built, for good: Go's build cache is keyed by the path.
    TREE="$CLUSTER_DIR/kubernetes-$DEBIAN_SOURCE_VERSION-$hash"
    rm -rf "$TREE"
    mv "$DEBIAN_SOURCE_DIR" "$TREE"
    rm -rf "$CLUSTER_DIR/fetch"
    local patch
    for patch in "${patches[@]}"; do
      info "applying $(basename "$patch")"
      patch -d "$TREE" -p1 --quiet --forward <"$patch" || die "$(basename "$patch") does not apply to $TREE"
    done
    : >"$TREE/.askeladden-patched"
  fi
  local bin="$TREE/_output/local/bin/$PLATFORM" name i=0 t
  for name in "${BINARIES[@]}"; do
    i=$((i + 1))
    [[ -x "$bin/$name" ]] && continue
    step "kubernetes: building $name ($i of ${#BINARIES[@]}; log: $CLUSTER_DIR/build-$name.log)"
    t=$SECONDS
    run_logged "$CLUSTER_DIR/build-$name.log" "$name" setsid env GOPROXY=off GO111MODULE=on GOFLAGS=-mod=vendor \
      CGO_ENABLED=0 make -C "$TREE" WHAT="cmd/$name" ||
      die "building $name failed (see $CLUSTER_DIR/build-$name.log)"
    printf '%s %d\n' "$name" $((SECONDS - t)) >>"$TREE/build-times"
    info "$name built in $((SECONDS - t)) s"
  done
  step "kubernetes: building the pause container's program"
  gcc -Os -Wall -Werror -static -DVERSION=v3.2-askeladden -o "$TREE/_output/pause" \
    "$TREE/build/pause/linux/pause.c" 2>"$CLUSTER_DIR/build-pause.log" ||
    die "building pause.c failed (see $CLUSTER_DIR/build-pause.log)"
  # The Go build cache is gigabytes; the binaries are all we keep.
  rm -rf "$TREE/_output/local/go"
  : >"$TREE/.askeladden-built"
  ok "Kubernetes built in $((SECONDS - started)) s, cached in $TREE"
}

# kubelet 1.20's default sandbox image, which cannot be pulled here: the
# pause program built from source, alone in an image.
pause_image() {
  image_exists "$PAUSE_IMAGE" && return 0
  step "building $PAUSE_IMAGE from build/pause/linux/pause.c"
  local dir="$RUN/pause"
  mkdir -p "$dir"
  cp "$TREE/_output/pause" "$dir/pause"
  tar -C "$dir" -c pause | docker import -c 'ENTRYPOINT ["/pause"]' -c 'USER 65535:65535' - "$PAUSE_IMAGE" >/dev/null ||
    fail_start "could not create $PAUSE_IMAGE"
}

# What start changes on the machine, and how stop puts it back.
# shellcheck source=scripts/cluster/machine-state.sh
source "$PATCH_DIR/machine-state.sh"

# ---- actions -----------------------------------------------------------------

# The cluster's processes outlive this script: they must not inherit its open
# files, such as the lock of a caller's `flock FILE scripts/cluster.sh start`,
# which they would then hold for as long as they run. (255 is bash's own; 9
# is our own lock, held to the end and closed only in the command that starts
# them.)
close_inherited_fds() {
  local fd
  for fd in "/proc/$$/fd"/*; do
    fd="${fd##*/}"
    ((fd > 2 && fd != 9 && fd != 255)) || continue
    eval "exec $fd>&-" 2>/dev/null || true
  done
}

print_kubeconfig() { printf '%s\n' "$KUBECONFIG_FILE"; }

# ---- all or nothing -----------------------------------------------------------

# From the moment start may change the machine (START_CHANGED), an interrupt,
# a termination or a failure stops what it started and puts the machine back,
# then says so in one line. A failure names itself in START_ERROR.
START_CHANGED=0 START_ERROR=''
guard_start() {
  trap 'abort_start 130 interrupted' INT
  trap 'abort_start 143 terminated' TERM
  trap 'abort_start "$?" failed' EXIT
}
fail_start() { START_ERROR="$1"; exit 1; }

abort_start() {
  local rc="$1" why="$2" log="$CLUSTER_DIR/undo.log" n undone=0
  trap - EXIT
  trap '' INT TERM
  ((rc != 0)) || exit 0
  # The command running now (a build, local-up-cluster.sh) runs in a process
  # group of its own, with whatever it started: the terminal's Ctrl-C does
  # not reach it. So do the daemons local-up-cluster.sh left, and theirs.
  local groups=() name pid group
  if [[ -n "$RUN_LOGGED_PID" ]]; then groups+=("$RUN_LOGGED_PID"); fi
  n=0
  while read -r name pid; do
    n=$((n + 1))
    group="$(ps -o pgid= -p "$pid" | tr -d ' ')" || continue
    [[ -z "$group" || "$group" == "$(ps -o pgid= -p $$ | tr -d ' ')" ]] || groups+=("$group")
  done < <(our_pids)
  for group in "${groups[@]}"; do kill -TERM -- "-$group" 2>/dev/null || true; done
  if ((START_CHANGED)); then
    mkdir -p "$CLUSTER_DIR"
    (stop_cluster) >"$log" 2>&1 && undone=1
  fi
  [[ "$why" == failed && -z "$START_ERROR" ]] && ((!START_CHANGED)) && exit "$rc"
  local what="start $why" outcome
  [[ -z "$START_ERROR" ]] || what="$START_ERROR"
  if ((!START_CHANGED)); then
    outcome="nothing on the machine had changed"
  elif ((undone && n > 0)); then
    outcome="stopped the $n cluster processes it had started and put the machine back"
  elif ((undone)); then
    outcome="put the machine back as it was"
  else
    outcome="the machine could not be put back completely (see $log; then: $SCRIPT_NAME stop)"
  fi
  printf '%s%s: error:%s %s; %s\n' "$C_RED" "$SCRIPT_NAME" "$C_RESET" "$what" "$outcome" >&2
  exit "$rc"
}

start() {
  local n
  n="$(our_pids | wc -l)"
  if ((n == ${#PROCESSES[@]})) && wait_until 60 "" node_ready; then
    ok "the cluster runs already and its node is Ready; nothing to do"
    print_kubeconfig
    return 0
  fi
  [[ "$(id -u)" == 0 ]] || die "the kubelet and kube-proxy need root"
  guard_start
  # What an earlier run left (killed, or cut short without stop) goes first,
  # and with it what it saved: the machine as it was before it.
  if ((n > 0)) || [[ -d "$RUN/saved" ]]; then
    START_CHANGED=1
    step "an earlier run left its cluster behind ($n of ${#PROCESSES[@]} processes run, node not Ready): putting the machine back first"
    stop_cluster
    START_CHANGED=0
  fi
  local port
  for port in "${PORTS[@]}"; do
    port_open 127.0.0.1 "$port" &&
      die "port $port is taken by something else (see: ss -ltnp 'sport = :$port'); the cluster needs ${PORTS[*]}"
  done
  require_packages
  require_docker
  build
  local started=$SECONDS
  close_inherited_fds
  START_CHANGED=1
  # A fresh run directory: a certificate or an etcd left from an earlier run
  # would only get in the way.
  restore_leftovers
  rm -rf "$RUN"
  mkdir -p "$RUN/bin" "$RUN/logs" "$RUN/tmp" "$RUN/certs" "$RUN/kubelet"
  pause_image
  save_machine_state
  # local-up-cluster.sh calls sudo; we are root already.
  # shellcheck disable=SC2016
  printf '#!/bin/sh\n[ "$1" = -E ] && shift\nexec "$@"\n' >"$RUN/bin/sudo"
  chmod +x "$RUN/bin/sudo"
  local script="$RUN/local-up-cluster.sh"
  patch --quiet -o "$script" "$TREE/hack/local-up-cluster.sh" <"$PATCH_DIR/local-up-cluster.patch" ||
    fail_start "local-up-cluster.patch does not apply to $TREE/hack/local-up-cluster.sh"
  # It finds its libraries from where it lies.
  cp "$script" "$TREE/hack/local-up-cluster-askeladden.sh"
  step "starting Kubernetes $(basename "$TREE" | cut -d - -f 2) (logs: $RUN/logs)"
  local endpoint="unix://$RUN/dockershim.sock"
  # Without our lock's descriptor: they outlive us. (Single quotes: bash -c's own $1.)
  # shellcheck disable=SC2016
  if ! run_logged "$RUN/logs/local-up-cluster.log" "starting" setsid env \
    PATH="$RUN/bin:$PATH" GO_OUT="$TREE/_output/local/bin/$PLATFORM" KUBECTL="$(command -v kubectl)" \
    ENABLE_DAEMON=true LOG_LEVEL=1 HOSTNAME_OVERRIDE="$NODE" API_BIND_ADDR=127.0.0.1 \
    CERT_DIR="$RUN/certs" LOG_DIR="$RUN/logs" ETCD_DIR="$RUN/etcd" LOCAL_TMP_DIR="$RUN/tmp" \
    POD_MANIFEST_PATH="$RUN/static-pods" KUBELET_ROOT_DIR="$RUN/kubelet" \
    CONTAINER_RUNTIME_ENDPOINT="$endpoint" IMAGE_SERVICE_ENDPOINT="$endpoint" \
    KUBE_ENABLE_CLUSTER_DNS=false KUBE_DEFAULT_STORAGE_CLASS=false \
    EVICTION_HARD='memory.available<100Mi' \
    KUBE_PROXY_CONNTRACK_MAX_PER_CORE=0 KUBE_PROXY_CONNTRACK_MIN=0 \
    KUBE_PROXY_CONNTRACK_TCP_ESTABLISHED_TIMEOUT=0s KUBE_PROXY_CONNTRACK_TCP_CLOSE_WAIT_TIMEOUT=0s \
    KUBELET_FLAGS="--root-dir=$RUN/kubelet --cert-dir=$RUN/kubelet/pki --volume-plugin-dir=$RUN/kubelet/volume-plugins --experimental-dockershim-root-directory=$RUN/dockershim --seccomp-profile-root=$RUN/kubelet/seccomp --image-gc-high-threshold=100 --image-gc-low-threshold=99" \
    bash -c 'exec 9>&- && exec bash "$1"' _ "$TREE/hack/local-up-cluster-askeladden.sh" </dev/null; then
    fail_start "local-up-cluster.sh failed (its log: $RUN/logs/local-up-cluster.log; the others beside it)"
  fi
  wait_until 120 "" node_ready ||
    fail_start "node $NODE was not Ready within 120 s (logs: $RUN/logs/kubelet.log and beside it)"
  trap - INT TERM EXIT
  ok "Kubernetes runs, node $NODE Ready, in $((SECONDS - started)) s; kubeconfig:"
  print_kubeconfig
}

stop_cluster() {
  local name pid pids=()
  while read -r name pid; do
    if [[ -n "$pid" ]]; then pids+=("$pid"); fi
  done < <(our_pids)
  if ((${#pids[@]} > 0)); then
    step "stopping the cluster (${#pids[@]} processes)"
    kill "${pids[@]}" 2>/dev/null || true
    if ! wait_until 30 "" bash -c "! kill -0 ${pids[*]} 2>/dev/null"; then
      warn "still running after 30 s: killing"
      kill -9 "${pids[@]}" 2>/dev/null || true
      wait_until 10 "" bash -c "! kill -0 ${pids[*]} 2>/dev/null" || die "could not stop pids ${pids[*]}"
    fi
  fi
  # The pods' containers (dockershim labels them); only ours run on this engine.
  local containers=()
  if docker_ready; then
    mapfile -t containers < <(docker ps -aq --filter label=io.kubernetes.docker.type)
    if ((${#containers[@]} > 0)); then
      info "removing ${#containers[@]} containers of the pods"
      docker rm -f "${containers[@]}" >/dev/null || warn "some of the pods' containers could not be removed"
    fi
  fi
  [[ -d "$RUN/saved" ]] || return 0
  restore_sysctls
  restore_iptables
  restore_leftovers
  rm -rf "$RUN/saved" "$RUN/etcd" "$RUN/dockershim.sock"
}

stop() {
  if ! running && [[ ! -d "$RUN/saved" ]]; then
    info "no cluster started by $SCRIPT_NAME runs"
    return 0
  fi
  stop_cluster
  ok "stopped; sysctls and iptables put back (logs stay in $RUN/logs)"
}

status() {
  local n
  n="$(our_pids | wc -l)"
  if ((n == 0)); then
    info "no cluster started by $SCRIPT_NAME runs"
    return 1
  fi
  if node_ready; then
    ok "the cluster runs ($n processes), node $NODE Ready; kubeconfig: $KUBECONFIG_FILE"
  else
    warn "the cluster runs ($n of ${#PROCESSES[@]} processes), but node $NODE is not Ready (logs: $RUN/logs)"
    return 1
  fi
}

kubeconfig() {
  running || die "no cluster started by $SCRIPT_NAME runs (start it: $SCRIPT_NAME start)"
  print_kubeconfig
}

main() {
  local action='' arg wait=1
  for arg in "$@"; do
    case "$arg" in
      -h | --help) print_usage; exit 0 ;;
    esac
  done
  while (($# > 0)); do
    case "$1" in
      start | stop | status | kubeconfig)
        [[ -z "$action" ]] || usage_error "one action at a time"
        action="$1"
        ;;
      --no-wait) wait=0 ;;
      -*) usage_error "unknown option '$1'" ;;
      *) usage_error "unknown action '$1'" ;;
    esac
    shift
  done
  [[ -n "$action" ]] || usage_error "name an action: start, stop, status or kubeconfig"
  if [[ "$action" == start || "$action" == stop ]]; then hold_lock cluster "$wait"; fi
  "$action"
}

# Run as a command; sourced (tests/cluster_test.sh reads SYSCTLS and our_pids),
# it only defines.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then main "$@"; fi
