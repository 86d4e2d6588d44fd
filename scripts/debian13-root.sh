#!/usr/bin/env bash
# Usage: scripts/debian13-root.sh [--help]
#
# Make sure a Debian 13 (trixie) root file system exists, built with
# mmdebstrap from Debian's archive, and print its directory on stdout. It
# stands for a reader's fresh Debian 13 machine: minbase, and what such a
# machine has before the posts' first command (git, which cloned the
# repository, ps, CA certificates); everything else the posts ask for comes
# from scripts/setup.sh inside it. tests/debian13_test.sh uses it.
#
# Its packages come from the same mirrors as the host's (the file
# $APT_SOURCES names, else /etc/apt/sources.list.d/debian.sources or
# /etc/apt/sources.list), with trixie in place of bookworm.
#
# The root is built once (about a minute with a fast mirror, 200 MB) and
# cached under $ASKELADDEN_STATE/debian13/root-KEY, KEY made from this
# script and those sources: a change to either builds a new one (and removes
# the older ones). Nothing uses the cached root but as the lower, read-only
# layer of an overlay: it stays as built. A build that fails or is cut short
# leaves nothing behind but its log.
#
# Needs root, and mmdebstrap (scripts/setup.sh base-images installs it).
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

accept_only_help "$@"

APT_SOURCES="${APT_SOURCES:-}"
DEBIAN13_DIR="$ASKELADDEN_STATE/debian13"
MERGED_USR_HOOKS=/usr/share/mmdebstrap/hooks/merged-usr
# A reader's machine before post 1: git cloned the repository.
PACKAGES=(ca-certificates git procps)

[[ "$(id -u)" == 0 ]] || die "needs root (mmdebstrap --mode=root): sudo $0"
[[ -z "$APT_SOURCES" || -r "$APT_SOURCES" ]] || die "APT_SOURCES=$APT_SOURCES is not a readable file"

host="$(host_apt_sources)"
[[ -n "$host" ]] || die "no apt sources found (/etc/apt/sources.list.d/debian.sources, /etc/apt/sources.list): set APT_SOURCES"
mkdir -p "$DEBIAN13_DIR"
# Trixie's lines: the host's Debian lines (those naming bookworm) with the
# release's name replaced; its -updates and -security suites follow.
sources="$DEBIAN13_DIR/trixie.${host##*.}"
[[ "$host" == *.sources ]] || sources="$DEBIAN13_DIR/trixie.list"
if [[ "$host" == *.sources ]]; then
  awk -v RS='' -v ORS='\n\n' '/bookworm/' "$host" | sed 's/bookworm/trixie/g' >"$sources.new"
else
  grep -E '^[[:space:]]*deb[[:space:]].*bookworm' "$host" | sed 's/bookworm/trixie/g' >"$sources.new"
fi
[[ -s "$sources.new" ]] || { rm -f "$sources.new"; die "no Debian bookworm lines in $host to derive trixie's from"; }
mv "$sources.new" "$sources"

key="$(cat "$0" "$sources" | sha256sum | cut -c 1-12)"
root="$DEBIAN13_DIR/root-$key"
if [[ -f "$root/.askeladden-built" ]]; then
  ok "Debian 13 root: cached ($root)"
  printf '%s\n' "$root"
  exit 0
fi

have mmdebstrap || "$ASKELADDEN_ROOT/scripts/setup.sh" base-images
[[ -d "$MERGED_USR_HOOKS" ]] || die "$MERGED_USR_HOOKS is missing (mmdebstrap too old?)"
log="$DEBIAN13_DIR/mmdebstrap-$key.log"
partial="$root.partial"
step "Debian 13 root: building it with mmdebstrap from $host's mirrors (once, about a minute; log: $log)"
started=$SECONDS
# Keep APT's downloads: tests/debian13_test.sh gives the root a package cache.
rm -rf --one-file-system "$partial"
run_logged "$log" "Debian 13 root: mmdebstrap" \
  mmdebstrap --verbose --mode=root --variant=minbase --format=directory \
  --hook-dir="$MERGED_USR_HOOKS" --include="$(IFS=,; printf '%s' "${PACKAGES[*]}")" \
  trixie "$partial" "$sources" ||
  { rm -rf --one-file-system "$partial"; die "Debian 13 root: mmdebstrap failed after $((SECONDS - started)) s; see $log"; }
touch "$partial/.askeladden-built"
mv "$partial" "$root"
# Older roots were built by another version of this script or other sources.
for old in "$DEBIAN13_DIR"/root-*; do
  [[ "$old" == "$root" || ! -d "$old" ]] || rm -rf --one-file-system "$old"
done
ok "Debian 13 root: built in $((SECONDS - started)) s ($(du -sh "$root" | cut -f 1), $root)"
printf '%s\n' "$root"
