#!/usr/bin/env bash
# Usage: scripts/setup.sh [--help] [--dry-run] COMPONENT...
#
# Make sure what the project needs works on this machine: ask first, install
# last. Every component is checked before anything changes, and is satisfied
# when what it provides works (a command runs, a library or Python module is
# found, a Docker engine answers), whatever package it came from. One line per
# component says what was found. Then, only when something is missing and
# nothing stands in the way, Debian's packages for it are installed (as root,
# with apt-get --no-remove: nothing the machine has is removed or replaced).
# A second run changes nothing and takes about a second.
#
# Components:
#   posts          what the posts run: cc, make, pkg-config, libevent, curl,
#                  jq, a Docker (as docker below) and a kubectl (any, or
#                  microk8s's; Debian's kubernetes-client when there is none)
#   build          compilers and libraries: cc, make, clang and its sanitizer
#                  runtimes (libclang-rt-N-dev for the clang N installed, or
#                  the one APT's clang brings), clang-format, libevent, Check,
#                  pkg-config, valgrind, shellcheck, jq, curl
#   docker         a Docker engine that answers `docker version`. Any Docker
#                  will do (Docker CE, Docker Desktop, moby, Debian's docker.io).
#                  Debian's docker.io is installed only where no Docker is
#                  found at all: never next to docker-ce, docker-ce-cli,
#                  containerd.io, moby-engine or docker-desktop, nor where a
#                  dockerd from elsewhere is on the PATH (a docker client
#                  alone is no engine: docker.io goes beside it). When the
#                  engine is not running, it says how to start it; it starts
#                  the engine itself only for Debian's docker.io: through
#                  systemd (systemctl start docker) or the init script where
#                  an init manages it, else a dockerd in the background (log
#                  under $ASKELADDEN_STATE). The machine's engine is the one
#                  answering on /var/run/docker.sock, never a process that is
#                  merely named dockerd (a rootless one, another user's).
#   python-docker  the Docker SDK for Python, which compare-sizes.sh reads the
#                  engine with (/usr/bin/python3 -c 'import docker')
#   base-images    mmdebstrap and arch-test, with which scripts/base-images.sh
#                  builds local stand-ins of the base images when they cannot
#                  be pulled (it asks for them only then)
#   images         docker, python-docker and base-images, and xmllint and
#                  rsvg-convert, which check and draw compare-sizes' chart, and
#                  mypy and jsonschema, which check its type hints and its
#                  JSON against its schema: what the image tests use
#   registry       Debian's docker-registry (scripts/registry.sh runs it)
#   fuzz           clang with its sanitizer and libFuzzer runtimes, and
#                  dpkg-dev, with which tests/fuzz/build-libevent.sh fetches
#                  Debian's libevent source
#   kube           a kubectl (any; Debian's kubernetes-client when there is
#                  none) and yq, to read and check the Kubernetes manifests;
#                  a warning when a cluster answers at another minor version
#   bench          wrk, nginx, valgrind and go (a Go net/http server to
#                  compare against) for make bench
#   docs           graphviz: dot draws the posts' figures from docs/images/*.dot
#   equivs         equivs, which builds the dummy packages (docker-ce ...) that
#                  tests/setup_test.sh installs into throwaway dpkg databases
#   cluster        docker and kube, and what scripts/cluster.sh builds and runs
#                  Kubernetes 1.20 from Debian's source with: go, etcd, cfssl,
#                  conntrack, socat, rsync, dpkg-dev, a C toolchain, patch,
#                  openssl, iptables
#   all            every component above
#
# --dry-run   check and say what would be installed or started; change nothing
#
# The first line names the system (from /etc/os-release). Package names come
# from what this machine's APT offers: where a package does not exist there
# (apt-cache policy finds no candidate), the rest is installed, and one line
# each names what is missing and what to use instead (Ubuntu has no
# kubernetes-client: microk8s kubectl, or snap install kubectl --classic).
#
# Exit status: 0 when every component works (or, with --dry-run, could be
# made to); 1 when something is missing and cannot be installed here (not
# root: one line names the packages and the sudo apt-get command; a package
# APT does not offer), or a Docker that is not ours has no running engine;
# 2 on bad usage.
#
# For tests only: ASKELADDEN_DPKG_ADMINDIR names another dpkg database to read
# (default /var/lib/dpkg); with it set, nothing is ever installed.
# ASKELADDEN_OS_RELEASE names another os-release file (default
# /etc/os-release). APT's own APT_CONFIG points apt-get and apt-cache at
# another APT.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"
# shellcheck source=scripts/setup/engine.sh
source "$ASKELADDEN_ROOT/scripts/setup/engine.sh"

DPKG_ADMINDIR="${ASKELADDEN_DPKG_ADMINDIR:-/var/lib/dpkg}"
OS_RELEASE="${ASKELADDEN_OS_RELEASE:-/etc/os-release}"
# Docker from Docker's own repositories or moby's: apt would make room for
# Debian's docker.io by removing them. Docker Desktop runs its own engine.
OTHER_DOCKER_PACKAGES=(docker-ce docker-ce-cli containerd.io docker-desktop moby-engine moby-cli)
COMPONENTS=(posts build docker python-docker base-images images registry fuzz kube bench docs equivs cluster)
PYTHON=/usr/bin/python3

DRY_RUN=0
MISSING=()       # packages to install, in order, each once (a|b: the first APT offers)
INSTALL=()       # MISSING as APT offers it
UNOFFERED=()     # what of MISSING APT does not offer
SYSTEM="an unknown system"
BLOCKED=()       # what stands in the way, one line each
START_DOCKERD=0  # start Debian's docker.io engine after the installs

installed() {
  dpkg-query --admindir="$DPKG_ADMINDIR" -W -f='${Status}\n' "$1" 2>/dev/null |
    grep -q '^install ok installed$'
}
package_version() { dpkg-query --admindir="$DPKG_ADMINDIR" -W -f='${Version}' "$1" 2>/dev/null; }

cmds() {
  local c
  for c in "$@"; do have "$c" || [[ -x "/usr/sbin/$c" ]] || return 1; done
}
pc() { have pkg-config && pkg-config --exists "$@"; }
py() { [[ -x "$PYTHON" ]] && "$PYTHON" -c "import $1" >/dev/null 2>&1; }
# A kubectl on the PATH, or microk8s's (microk8s kubectl).
kubectl_runs() { cmds kubectl || timeout 10 microk8s version >/dev/null 2>&1; }

# The sanitizer runtime of the clang that runs (libclang-common-N-dev held it
# before libclang-rt-N-dev did); N is resolved when it is to be installed.
CLANG_RT='libclang-rt-N-dev|libclang-common-N-dev'

# clang_links SANITIZERS: clang links a program built with -fsanitize=SANITIZERS.
clang_links() {
  have clang || return 1
  local out rc=0 main='int main(void) { return 0; }'
  [[ "$1" != *fuzzer* ]] || main='int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)n * 0; }'
  out="$(mktemp)"
  printf '%s\n' "$main" | clang -fsanitize="$1" -x c - -o "$out" >/dev/null 2>&1 || rc=1
  rm -f "$out"
  return "$rc"
}

# The major version of the clang that runs, else of the clang APT would
# install (its clang package depends on clang-N).
clang_major() {
  local v
  if have clang && v="$(clang -dumpversion 2>/dev/null)"; then
    printf '%s\n' "${v%%.*}"
    return
  fi
  v="$(LC_ALL=C apt-cache depends clang 2>/dev/null)" || true
  sed -n '/^ *Depends: clang-\([0-9][0-9]*\)$/{s//\1/p;q}' <<<"$v"
}

# os_field KEY: KEY's value in the os-release file, unquoted.
os_field() {
  sed -n "/^$1=/{s///;s/^\"\\(.*\\)\"\$/\\1/;s/^'\\(.*\\)'\$/\\1/;p;q}" "$OS_RELEASE"
}

# The one line naming the system, from its os-release file.
describe_system() {
  if [[ ! -r "$OS_RELEASE" ]]; then
    info "system: unknown (no $OS_RELEASE to read)"
    return
  fi
  SYSTEM="$(os_field PRETTY_NAME)"
  [[ -n "$SYSTEM" ]] || SYSTEM="$(os_field NAME) $(os_field VERSION_ID)"
  info "system: $SYSTEM, from $OS_RELEASE"
}

# need FOUND ABSENT PACKAGE PROBE...: PACKAGE provides what PROBE asks for
# (the probe "installed" asks dpkg for the package itself). Appends what the
# probe names to the list named FOUND when it succeeds, to the one named
# ABSENT when it fails, and then PACKAGE to MISSING.
need() {
  local -n found_list="$1" absent_list="$2"
  local package="$3" label
  shift 3
  label="${*:2}"
  [[ "$1" != installed ]] || label="$package"
  [[ "$1" != py ]] || label="$PYTHON -c 'import $2'"
  [[ "$1" != clang_links ]] || label="clang -fsanitize=$2"
  [[ "$1" != kubectl_runs ]] || label="kubectl (or microk8s kubectl)"
  if [[ "$1" == installed ]]; then installed "$package"; else "$@" >/dev/null 2>&1; fi &&
    { found_list+=("$label"); return; }
  absent_list+=("$label")
  add_missing "$package"
}

# check_packages COMPONENT [PACKAGE PROBE... ;]...: the one line for a
# component made of packages, what it found or not; the packages of what it
# did not find go to MISSING.
check_packages() {
  local component="$1"
  shift
  local found=() absent=() args=()
  while (($# > 0)); do
    if [[ "$1" == ";" ]]; then
      need found absent "${args[@]}"
      args=()
    else
      args+=("$1")
    fi
    shift
  done
  ((${#args[@]} == 0)) || need found absent "${args[@]}"
  if ((${#absent[@]} == 0)); then
    ok "$component: ${found[*]}"
  else
    info "$component: not found: ${absent[*]}${found:+ (found: ${found[*]})}"
  fi
}

add_missing() {
  local p
  for p in "$@"; do
    [[ " ${MISSING[*]} " == *" $p "* ]] || MISSING+=("$p")
  done
}

# The engine's version, when `docker version` reaches one; its error in
# $DOCKER_ERR otherwise.
engine_version() {
  have docker || return 1
  timeout 10 docker version --format '{{.Server.Version}}' 2>"$DOCKER_ERR"
}

# The client's version (docker version prints it, and fails, without an engine).
client_version() {
  local v
  v="$(timeout 10 docker version --format '{{.Client.Version}}' 2>/dev/null | head -n 1)" || true
  printf '%s\n' "${v:-unknown}"
}

# How to start an engine we do not own.
how_to_start() {
  case " $* " in
    *" docker-desktop "*) printf 'start Docker Desktop (systemctl --user start docker-desktop)' ;;
    *) printf 'start it (sudo systemctl start docker, or sudo service docker start)' ;;
  esac
}

check_docker() {
  local version others=() p
  if version="$(engine_version)" && [[ -n "$version" ]]; then
    ok "docker: Docker engine $version answers (client $(client_version), $(command -v docker))"
    return
  fi
  if have docker && grep -qi 'permission denied' "$DOCKER_ERR"; then
    BLOCKED+=("docker: an engine runs, but $(id -un) may not use its socket: sudo usermod -aG docker $(id -un), then log in again")
    return
  fi
  for p in "${OTHER_DOCKER_PACKAGES[@]}"; do installed "$p" && others+=("$p"); done
  if ((${#others[@]} > 0)); then
    BLOCKED+=("docker: found ${others[*]} (not installing docker.io), but no engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}: $(how_to_start "${others[@]}")")
    return
  fi
  if installed docker.io; then
    info "docker: Debian's docker.io $(package_version docker.io) is installed, its engine is not running: dockerd needs starting"
    START_DOCKERD=1
    return
  fi
  if have dockerd; then
    BLOCKED+=("docker: found $(command -v dockerd) (not Debian's docker.io: not installing it), but no engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}: start your Docker engine")
    return
  fi
  # A client alone (a static binary, a CLI-only package) has no engine to
  # start: Debian's engine goes beside it, and the client stays as it is.
  if have docker; then
    info "docker: found only a docker client ($(command -v docker), client $(client_version)), no engine: Debian's docker.io needs installing for its dockerd"
  else
    info "docker: no Docker found: Debian's docker.io needs installing, and its dockerd starting"
    # Debian 13's docker.io only recommends its client, docker-cli. APT is asked
    # after its update: empty or old lists would not offer it.
    add_missing 'docker-cli?'
  fi
  add_missing docker.io
  START_DOCKERD=1
}

check_component() {
  case "$1" in
    posts)
      check_packages posts build-essential cmds cc make \; pkg-config cmds pkg-config \; libevent-dev pc libevent \; \
        curl cmds curl \; jq cmds jq \; kubernetes-client kubectl_runs
      ;;
    build)
      check_packages build \
        build-essential cmds cc make \; clang cmds clang \; clang-format cmds clang-format \; \
        "$CLANG_RT" clang_links address,undefined \; \
        libevent-dev pc libevent libevent_pthreads \; check pc check \; pkg-config cmds pkg-config \; \
        valgrind cmds valgrind \; shellcheck cmds shellcheck \; jq cmds jq \; curl cmds curl \; \
        ca-certificates installed \; procps cmds pgrep
      ;;
    docker) check_docker ;;
    python-docker) check_packages python-docker python3-docker py docker ;;
    base-images) check_packages base-images mmdebstrap cmds mmdebstrap \; arch-test cmds arch-test ;;
    images) check_packages images libxml2-utils cmds xmllint \; librsvg2-bin cmds rsvg-convert \; python3-mypy py mypy \; \
      python3-jsonschema py jsonschema ;;
    registry) check_packages registry docker-registry cmds docker-registry ;;
    fuzz)
      check_packages fuzz clang cmds clang \; "$CLANG_RT" clang_links fuzzer,address \; \
        dpkg-dev cmds dpkg-source \; make cmds make \; pkg-config cmds pkg-config
      ;;
    kube)
      # Any kubectl will do (microk8s's, a vendor's); Debian's is the fallback.
      check_packages kube kubernetes-client cmds kubectl \; yq cmds yq
      warn_kubectl_skew
      ;;
    bench) check_packages bench wrk cmds wrk \; 'nginx-light|nginx' cmds nginx \; valgrind cmds valgrind \; golang-go cmds go ;;
    docs) check_packages docs graphviz cmds dot ;;
    equivs) check_packages equivs equivs cmds equivs-build ;;
    cluster)
      check_packages cluster golang-go cmds go \; etcd-server cmds etcd \; golang-cfssl cmds cfssl \; \
        conntrack cmds conntrack \; socat cmds socat \; rsync cmds rsync \; dpkg-dev cmds dpkg-source \; \
        build-essential cmds cc make \; patch cmds patch \; openssl cmds openssl \; iptables cmds iptables
      ;;
  esac
}

# COMPONENT...: each named one, with what images and all stand for, once.
expand_components() {
  local c
  for c in "$@"; do
    case "$c" in
      all) printf '%s\n' "${COMPONENTS[@]}" ;;
      posts) printf '%s\n' posts docker ;;
      images) printf '%s\n' docker python-docker base-images images ;;
      cluster) printf '%s\n' docker kube cluster ;;
      *) printf '%s\n' "$c" ;;
    esac
  done | awk '!seen[$0]++'
}

apt_offers() {
  local policy
  policy="$(LC_ALL=C apt-cache policy "$1" 2>/dev/null)" || return 1
  grep -q '^  Candidate: [^(]' <<<"$policy"
}

# resolve_missing: each of MISSING as the first of its names APT offers, to
# INSTALL; when APT offers none of them, its first name to UNOFFERED.
resolve_missing() {
  local spec names n major=""
  for spec in "${MISSING[@]}"; do
    if [[ "$spec" == *-N-* ]]; then
      [[ -n "$major" ]] || major="$(clang_major)"
      spec="${spec//-N-/-${major:-N}-}"
    fi
    # NAME?: installed where APT offers it, not missed where it does not.
    if [[ "$spec" == *'?' ]]; then
      if apt_offers "${spec%'?'}"; then INSTALL+=("${spec%'?'}"); fi
      continue
    fi
    IFS='|' read -ra names <<<"$spec"
    for n in "${names[@]}"; do
      if apt_offers "$n"; then
        INSTALL+=("$n")
        continue 2
      fi
    done
    UNOFFERED+=("${names[0]}")
  done
  [[ " ${UNOFFERED[*]} " != *" docker.io "* ]] || START_DOCKERD=0
}

# What to use where APT does not offer a package.
instead_of() {
  case "$1" in
    kubernetes-client) printf "use microk8s's kubectl (microk8s kubectl), or sudo snap install kubectl --classic" ;;
    *) printf 'enable the archive area that has it (on Ubuntu: universe), or install it from elsewhere' ;;
  esac
}

# One line for each package APT does not offer; fails when there is one.
report_unoffered() {
  local p
  for p in "${UNOFFERED[@]}"; do
    printf '%s%s:%s %s: not offered by APT on %s: %s\n' "$C_RED" "$SCRIPT_NAME" "$C_RESET" "$p" "$SYSTEM" "$(instead_of "$p")" >&2
  done
  ((${#UNOFFERED[@]} == 0))
}

install_missing() {
  step "installing ${INSTALL[*]}"
  # --no-remove: should a package conflict with something installed, apt
  # stops instead of removing what the machine has.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-remove \
    "${INSTALL[@]}" >&2 || die "apt-get install ${INSTALL[*]} failed (nothing was removed)"
}

main() {
  local arg components=()
  for arg in "$@"; do
    case "$arg" in
      -h | --help) print_usage; exit 0 ;;
      --dry-run) DRY_RUN=1 ;;
      -*) usage_error "unknown option '$arg'" ;;
      all) components+=("$arg") ;;
      *)
        [[ " ${COMPONENTS[*]} " == *" $arg "* ]] || usage_error "unknown component '$arg'"
        components+=("$arg")
        ;;
    esac
  done
  ((${#components[@]} > 0)) || usage_error "name at least one component"

  # 1. Ask: nothing changes here.
  describe_system
  DOCKER_ERR="$(mktemp)"
  trap 'rm -f "$DOCKER_ERR"' EXIT
  local c
  while read -r c; do check_component "$c"; done < <(expand_components "${components[@]}")
  if ((${#BLOCKED[@]} > 0)); then
    local line
    for line in "${BLOCKED[@]}"; do printf '%s%s:%s %s\n' "$C_RED" "$SCRIPT_NAME" "$C_RESET" "$line" >&2; done
    exit 1
  fi
  ((${#MISSING[@]} > 0 || START_DOCKERD)) || return 0

  if ((DRY_RUN)); then
    resolve_missing
    ((${#INSTALL[@]} == 0)) || info "would run: apt-get install --no-install-recommends --no-remove ${INSTALL[*]}"
    ((START_DOCKERD == 0)) || info "$(engine_start_words "$(engine_start_plan)")"
    report_unoffered || exit 1
    return 0
  fi
  if [[ "$DPKG_ADMINDIR" != /var/lib/dpkg ]]; then
    die "not changing anything: ASKELADDEN_DPKG_ADMINDIR=$DPKG_ADMINDIR is not this machine's dpkg database"
  fi
  if [[ "$(id -u)" != 0 ]]; then
    resolve_missing
    report_unoffered || ((${#INSTALL[@]} > 0 || START_DOCKERD)) || exit 1
    local needs=() what="missing packages: ${INSTALL[*]}"
    ((${#INSTALL[@]} == 0)) || needs+=("sudo apt-get install ${INSTALL[*]}")
    ((START_DOCKERD == 0)) || needs+=("sudo scripts/setup.sh docker, which starts the Docker engine")
    ((${#INSTALL[@]} > 0)) || what="no Docker engine runs"
    die "$what (as root: $(printf '%s; ' "${needs[@]}" | sed 's/; $//'))"
  fi

  # 2. Install what APT offers, then start; then name what it does not.
  if ((${#MISSING[@]} > 0)); then
    apt-get update -qq >&2 || die "apt-get update failed: check the machine's apt sources"
    resolve_missing
  fi
  ((${#INSTALL[@]} == 0)) || install_missing
  ((START_DOCKERD == 0)) || start_engine
  report_unoffered || exit 1
}

main "$@"
