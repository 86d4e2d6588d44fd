#!/usr/bin/env bash
# Usage: scripts/base-images.sh [--help] [--pull-timeout SECONDS] [--rebuild]
#
# Make sure the two base images the Dockerfiles start from exist locally:
#
#   gcc:12                the fat build image of post 1 (and the builder stage of post 2)
#   debian:bookworm-slim  the runtime image of post 2
#
# For each image, in this order:
#   1. an image with that name is already there (official or stand-in): use it;
#   2. docker pull it (for at most --pull-timeout seconds, default 30);
#   3. build a local stand-in from Debian bookworm packages with mmdebstrap and
#      the host's own apt sources (the file $APT_SOURCES names, else
#      /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list, else
#      mmdebstrap's default mirrors), and docker import it. A stand-in carries the
#      label org.askeladden.stand-in=true and says what it imitates.
#
# --rebuild removes existing stand-ins first and builds them again (pulled or
# official images are never removed).
#
# Building the stand-ins happens once per machine: gcc:12 takes 2-3 minutes with
# a fast mirror (about 1.2 GB unpacked), bookworm-slim under a minute. mmdebstrap's logs go
# to $ASKELADDEN_STATE (default ~/.local/state/askeladden).
# Needs a running Docker engine (start one: scripts/setup.sh docker). Building
# a stand-in needs root, and mmdebstrap and arch-test, which it installs then
# if they are missing (scripts/setup.sh base-images): a machine that has its
# base images never needs them.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

PULL_TIMEOUT=30
REBUILD=0
APT_SOURCES="${APT_SOURCES:-}"
MERGED_USR_HOOKS=/usr/share/mmdebstrap/hooks/merged-usr
STAND_IN_LABEL=org.askeladden.stand-in
# Like the official images: no apt lists, caches or logs, no dpkg log. The
# script does this itself, with mmdebstrap's own clean-up skipped: that runs
# apt once more and leaves its binary caches (70 MB) behind. mmdebstrap runs
# this with $1 set to the new root.
# shellcheck disable=SC2016
CLEANUP_HOOK='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb "$1"/var/cache/apt/archives/partial/* "$1"/var/log/apt/* "$1"/var/log/dpkg.log "$1"/var/log/alternatives.log "$1"/var/cache/ldconfig/aux-cache'

# What the official debian:bookworm-slim leaves out: documentation, manuals and
# translations, but not the copyright files (the licences must ship with the
# binaries). The rules stay in the image, so later apt-get installs are slim too.
SLIM_DPKG_RULES=(
  'path-exclude=/usr/share/doc/*'
  'path-include=/usr/share/doc/*/copyright'
  'path-exclude=/usr/share/man/*'
  'path-exclude=/usr/share/info/*'
  'path-exclude=/usr/share/groff/*'
  'path-exclude=/usr/share/lintian/*'
  'path-exclude=/usr/share/linda/*'
  'path-exclude=/usr/share/locale/*'
)

# gcc:12 is buildpack-deps:bookworm with a GCC 12 built from source for C, C++,
# Fortran and Go. The stand-in installs the same buildpack-deps package set
# (its curl, scm and full layers) and takes those four front ends from Debian's
# gcc-12 packages instead of compiling them, so it is as fat as the real image
# for the same reason: it is a general-purpose build box, not a place to run a
# server: about 1.2 GB here, against 1.3-1.4 GB for the official image, which
# carries Debian's gcc-12 and a second GCC 12 built from source in /usr/local.
# Our Dockerfiles only need cc, make, pkg-config and libevent-dev.
GCC_PACKAGES=(
  # buildpack-deps:bookworm-curl
  ca-certificates curl gnupg netbase sq wget
  # buildpack-deps:bookworm-scm
  git git-lfs mercurial openssh-client subversion procps
  # buildpack-deps:bookworm
  autoconf automake bzip2 default-libmysqlclient-dev dpkg-dev file g++ gcc
  imagemagick libbz2-dev libc6-dev libcurl4-openssl-dev libdb-dev libevent-dev
  libffi-dev libgdbm-dev libglib2.0-dev libgmp-dev libjpeg-dev libkrb5-dev
  liblzma-dev libmagickcore-dev libmagickwand-dev libmaxminddb-dev
  libncurses5-dev libncursesw5-dev libpng-dev libpq-dev libreadline-dev
  libsqlite3-dev libssl-dev libtool libwebp-dev libxml2-dev libxslt-dev
  libyaml-dev make patch pkg-config unzip xz-utils zlib1g-dev
  # gcc:12's other front ends (it is configured with c,c++,fortran,go)
  gfortran gccgo
)

while (($# > 0)); do
  case "$1" in
    -h | --help) print_usage; exit 0 ;;
    --pull-timeout)
      [[ "${2:-}" =~ ^[0-9]+$ ]] || usage_error "--pull-timeout needs a number of seconds"
      PULL_TIMEOUT="$2"
      shift 2
      ;;
    --rebuild) REBUILD=1; shift ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
done

# Preflight: nothing below changes anything until these pass.
require_docker
[[ -z "$APT_SOURCES" || -r "$APT_SOURCES" ]] || die "APT_SOURCES=$APT_SOURCES is not a readable file"

is_stand_in() {
  [[ "$(docker image inspect -f "{{index .Config.Labels \"$STAND_IN_LABEL\"}}" "$1" 2>/dev/null)" == true ]]
}

# The apt settings every official Debian image carries: no downloaded .debs,
# no binary package caches and no translations stay behind after apt-get, so
# an `apt-get install` in a Dockerfile does not add 70 MB of cache to its layer.
write_apt_config() {
  cat >"$1" <<'APT'
// Keep images small: see scripts/base-images.sh in the askeladden repository.
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
Acquire::GzipIndexes "true";
APT::AutoRemove::SuggestsImportant "false";
APT
}

describe_image() {
  local size
  size="$(docker image inspect -f '{{.Size}}' "$1")"
  if is_stand_in "$1"; then
    ok "$1: present locally (local stand-in, $(human_bytes "$size"))"
  else
    ok "$1: present locally ($(human_bytes "$size"))"
  fi
}

try_pull() {
  local image="$1" log="$ASKELADDEN_STATE/pull-${1//[:\/]/-}.log"
  info "$image: not found locally, trying docker pull (up to ${PULL_TIMEOUT}s)"
  if timeout "$PULL_TIMEOUT" docker pull "$image" >"$log" 2>&1; then
    return 0
  fi
  info "$image: pull failed: $(tail -n 1 "$log")"
  return 1
}

# build_stand_in IMAGE DESCRIPTION DURATION MMDEBSTRAP-ARGS...: run mmdebstrap
# into a tarball (a failed run must not leave a half image behind), then import
# it with the labels and the CMD the official image has.
build_stand_in() {
  local image="$1" description="$2" duration="$3"
  shift 3
  [[ "$(id -u)" == 0 ]] || die "$image: building a stand-in needs root (mmdebstrap --mode=root): sudo scripts/base-images.sh"
  # The tools to build one are needed only now.
  "$ASKELADDEN_ROOT/scripts/setup.sh" base-images
  [[ -d "$MERGED_USR_HOOKS" ]] || die "$image: $MERGED_USR_HOOKS is missing (mmdebstrap too old?)"

  local sources mirrors=()
  # The stand-ins come from the same mirrors the host already reaches. When it
  # has none, mmdebstrap uses its default mirrors for bookworm, its updates
  # and security.
  sources="$(host_apt_sources)"
  [[ -n "$sources" ]] && mirrors=("$sources")
  local name="${image//[:\/]/-}"
  local log="$ASKELADDEN_STATE/mmdebstrap-$name.log"
  local tarball="$ASKELADDEN_STATE/$name.tar"
  step "$image: not found locally, pull failed, building a local stand-in from Debian bookworm packages with mmdebstrap (this happens once, $duration; log: $log)"
  info "$image: packages from ${sources:-the default Debian mirrors of mmdebstrap}"
  local started=$SECONDS
  local apt_config="$ASKELADDEN_STATE/$name.apt.conf"
  write_apt_config "$apt_config"
  # The merged-usr hooks lay out /usr like the official images do, with
  # symlinks, instead of installing the usrmerge package, which would pull
  # perl (about 50 MB) into minbase.
  run_logged "$log" "$image: mmdebstrap" \
    mmdebstrap --verbose --mode=root --variant=minbase --format=tar \
    --hook-dir="$MERGED_USR_HOOKS" \
    --customize-hook="upload $apt_config /etc/apt/apt.conf.d/docker-clean" \
    --customize-hook="$CLEANUP_HOOK" --skip=cleanup/apt \
    "$@" bookworm "$tarball" "${mirrors[@]}" ||
    { rm -f "$tarball"; die "$image: mmdebstrap failed after $((SECONDS - started)) s; see $log"; }
  info "$image: importing $(human_bytes "$(stat -c %s "$tarball")") of root filesystem"
  docker import \
    --change "LABEL $STAND_IN_LABEL=true" \
    --change "LABEL org.askeladden.stand-in.description=\"$description\"" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --message "local stand-in for $image built with mmdebstrap" \
    "$tarball" "$image" >/dev/null ||
    { rm -f "$tarball"; die "$image: docker import failed"; }
  rm -f "$tarball" "$apt_config"
  ok "$image: stand-in built in $((SECONDS - started)) s ($(human_bytes "$(docker image inspect -f '{{.Size}}' "$image")"))"
}

slim_stand_in() {
  local args=() rule
  for rule in "${SLIM_DPKG_RULES[@]}"; do args+=(--dpkgopt="$rule"); done
  build_stand_in debian:bookworm-slim \
    "Debian bookworm minbase without docs, manuals and translations, like the official debian:bookworm-slim" \
    "under a minute" "${args[@]}"
}

gcc_stand_in() {
  local include
  include="$(IFS=,; printf '%s' "${GCC_PACKAGES[*]}")"
  build_stand_in gcc:12 \
    "Debian bookworm with the buildpack-deps:bookworm packages and Debian's GCC 12 (C, C++, Fortran, Go), like the official gcc:12" \
    "2-3 minutes with a fast mirror" --include="$include"
}

ensure_image() {
  local image="$1" builder="$2"
  if ((REBUILD)) && is_stand_in "$image"; then
    info "$image: removing the existing stand-in (--rebuild)"
    docker rmi "$image" >/dev/null
  fi
  if image_exists "$image"; then
    describe_image "$image"
  elif try_pull "$image"; then
    ok "$image: pulled"
  else
    "$builder"
  fi
}

mkdir -p "$ASKELADDEN_STATE"
step "1/2 debian:bookworm-slim"
ensure_image debian:bookworm-slim slim_stand_in
step "2/2 gcc:12"
ensure_image gcc:12 gcc_stand_in
