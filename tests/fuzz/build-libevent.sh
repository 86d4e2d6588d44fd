#!/usr/bin/env bash
# Usage: tests/fuzz/build-libevent.sh [--help] [--prefix DIR] [--cflags FLAGS] [--sources FILE]
#
# Build libevent 2.1.12 from Debian's own source package with clang and the
# fuzzing sanitizers (static libraries only, no OpenSSL, no samples or
# regression tests) and install it into DIR, default build/libevent-fuzz/prefix.
# The fuzz target links against it, so that libFuzzer sees and steers
# libevent's HTTP parser too: Debian's binary libevent is not instrumented.
#
# The deb-src lines are derived from the machine's apt sources
# (/etc/apt/sources.list.d/debian.sources, /etc/apt/sources.list), or from
# FILE with --sources (a .sources file in deb822 form, or one-line form). The
# package lists, downloads and sources live under build/libevent-fuzz/: the
# machine's own APT configuration and state are never touched.
#
# A second run with the same flags does nothing and says so. Logs:
# build/libevent-fuzz/*.log. Needs clang and dpkg-dev (scripts/setup.sh fuzz).
#
# Options:
#   --prefix DIR     where to install (default build/libevent-fuzz/prefix)
#   --cflags FLAGS   compiler flags (default: the fuzz flags of the Makefile)
#   --sources FILE   apt sources to derive the deb-src lines from
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../../common/lib.sh"
# shellcheck source=common/debian-source.sh
source "$ASKELADDEN_ROOT/common/debian-source.sh"

WANT_VERSION=2.1.12
work="$ASKELADDEN_ROOT/build/libevent-fuzz"
prefix="$work/prefix"
cflags="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined"
sources=()

while (($# > 0)); do
  case "$1" in
    -h | --help) print_usage; exit 0 ;;
    --prefix | --cflags | --sources)
      [[ -n "${2:-}" ]] || usage_error "$1 needs a value"
      case "$1" in
        --prefix) prefix="$(realpath -m "$2")" ;;
        --cflags) cflags="$2" ;;
        --sources) sources=("$2") ;;
      esac
      shift
      ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
  shift
done
((${#sources[@]} > 0)) || sources=("${DEBIAN_SOURCE_LISTS[@]}")

stamp="$prefix/.askeladden-build"
wanted_stamp="libevent $WANT_VERSION, CC=clang, CFLAGS=$cflags"

fetch_source() {
  step "libevent: downloading Debian's source package (log: $work/fetch.log)"
  fetch_debian_source "$work" libevent "$work/fetch.log" "${sources[@]}"
  srcdir="$DEBIAN_SOURCE_DIR"
  version="libevent_$DEBIAN_SOURCE_VERSION"
  [[ "$(basename "$srcdir")" == "libevent-$WANT_VERSION"* ]] ||
    die "Debian's source package is not libevent $WANT_VERSION (see $work/fetch.log)"
  info "got ${version#libevent_}"
}

build_and_install() {
  local jobs
  jobs="$(nproc)"
  # Debian's patch to Makefile.am only adds -no-undefined to the shared
  # libraries; keep the shipped Makefile.in rather than needing automake.
  touch -r "$srcdir/Makefile.in" "$srcdir/Makefile.am"
  step "libevent: configuring with clang (log: $work/configure.log)"
  (cd "$srcdir" && ./configure CC=clang CFLAGS="$cflags" --prefix="$prefix" \
    --disable-shared --enable-static --disable-openssl --disable-samples \
    --disable-libevent-regress --disable-doxygen-html) >"$work/configure.log" 2>&1 ||
    die "configuring libevent failed (see $work/configure.log)"
  step "libevent: building with $jobs jobs (log: $work/build.log)"
  run_logged "$work/build.log" "building libevent" make -C "$srcdir" -j"$jobs" ||
    die "building libevent failed (see $work/build.log)"
  rm -rf "$prefix"
  make -C "$srcdir" install >>"$work/build.log" 2>&1 ||
    die "installing libevent into $prefix failed (see $work/build.log)"
  printf '%s\n' "$wanted_stamp" >"$stamp"
}

main() {
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted_stamp" && -f "$prefix/lib/libevent.a" ]]; then
    ok "libevent $WANT_VERSION for fuzzing is up to date in ${prefix#"$ASKELADDEN_ROOT"/}: nothing to do"
    return 0
  fi
  require_cmd clang apt-get dpkg-source make
  local started=$SECONDS
  mkdir -p "$work"
  fetch_source
  build_and_install
  ok "libevent ${version#libevent_} built and installed in ${prefix#"$ASKELADDEN_ROOT"/} in $((SECONDS - started)) s"
}

main
