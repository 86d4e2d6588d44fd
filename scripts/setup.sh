#!/usr/bin/env bash
# Usage: scripts/setup.sh [--help] COMPONENT...
#
# Install and start what the project needs on a Debian 12 machine, idempotently:
# a second run changes nothing and takes about a second.
#
# Components:
#   build    compilers and libraries: gcc, clang, libevent-dev, check, pkg-config,
#            valgrind,
#            the sanitizer runtimes, shellcheck, jq, curl
#   docker   Debian's docker.io, and a running dockerd (started in the background,
#            log under $ASKELADDEN_STATE, when no engine answers)
#   images   the docker component, plus the tools to create base images locally
#            (mmdebstrap) when they cannot be pulled, the Docker SDK for Python
#            that compare-sizes.sh reads the engine with, and xmllint, which
#            checks its chart
#   registry Debian's docker-registry (scripts/registry.sh runs it)
#   fuzz     clang with its sanitizer and libFuzzer runtimes, and dpkg-dev, with
#            which tests/fuzz/build-libevent.sh fetches Debian's libevent source
#   kube     kubectl (Debian's kubernetes-client, unless a kubectl is installed)
#            and yq, to read and check the Kubernetes manifests
#   bench    wrk, nginx-light, valgrind and golang-go (a Go net/http server to
#            compare against) for make bench
#   docs     graphviz: dot draws the posts' figures from docs/images/*.dot
#   all      every component above
#
# Installing needs root; without it, the missing packages are named and it fails.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

BUILD_PACKAGES=(build-essential clang clang-format libclang-rt-14-dev libevent-dev check pkg-config
  valgrind shellcheck jq curl ca-certificates procps)
DOCKER_PACKAGES=(docker.io)
IMAGES_PACKAGES=(mmdebstrap arch-test python3-docker libxml2-utils python3-mypy)
REGISTRY_PACKAGES=(docker-registry)
FUZZ_PACKAGES=(clang libclang-rt-14-dev dpkg-dev make pkg-config)
KUBE_PACKAGES=(yq)
BENCH_PACKAGES=(wrk nginx-light valgrind golang-go)
DOCS_PACKAGES=(graphviz)

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' ||
      printf '%s\n' "$pkg"
  done
}

apt_updated=0
install_packages() {
  local missing
  mapfile -t missing < <(missing_packages "$@")
  ((${#missing[@]} == 0)) && return 0
  [[ "$(id -u)" == 0 ]] || die "missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})"
  step "installing ${missing[*]}"
  if ((apt_updated == 0)); then
    apt-get update -qq >&2 || die "apt-get update failed: check the machine's apt sources"
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
    die "apt-get install ${missing[*]} failed"
}

# No systemd here: run dockerd in the background with its log in the state
# directory and wait until the engine answers.
start_dockerd() {
  docker_ready && return 0
  have dockerd || die "dockerd is not installed (install the docker.io package)"
  [[ "$(id -u)" == 0 ]] || die "no Docker engine answers, and starting dockerd needs root"
  mkdir -p "$ASKELADDEN_STATE"
  local log="$ASKELADDEN_STATE/dockerd.log"
  if ! pgrep -x dockerd >/dev/null; then
    step "starting dockerd (log: $log)"
    setsid nohup dockerd >>"$log" 2>&1 </dev/null &
  else
    step "waiting for the running dockerd to answer"
  fi
  wait_until 60 "" docker_ready ||
    die "dockerd did not answer within 60 s; its log: $log"
  ok "Docker engine $(docker version --format '{{.Server.Version}}') is running"
}

setup_component() {
  case "$1" in
    build) install_packages "${BUILD_PACKAGES[@]}" ;;
    docker) install_packages "${DOCKER_PACKAGES[@]}"; start_dockerd ;;
    images) install_packages "${DOCKER_PACKAGES[@]}" "${IMAGES_PACKAGES[@]}"; start_dockerd ;;
    registry) install_packages "${REGISTRY_PACKAGES[@]}" ;;
    fuzz) install_packages "${FUZZ_PACKAGES[@]}" ;;
    kube)
      # Any kubectl will do (microk8s's, a vendor's); Debian's is the fallback.
      install_packages "${KUBE_PACKAGES[@]}"
      have kubectl || install_packages kubernetes-client
      ;;
    bench) install_packages "${BENCH_PACKAGES[@]}" ;;
    docs) install_packages "${DOCS_PACKAGES[@]}" ;;
    all)
      local c
      for c in build docker images registry fuzz kube bench docs; do setup_component "$c"; done
      ;;
    *) usage_error "unknown component '$1'" ;;
  esac
}

main() {
  (($# > 0)) || usage_error "name at least one component"
  accept_help_among_arguments "$@"
  local arg
  for arg in "$@"; do setup_component "$arg"; done
}

main "$@"
