# Fetching a Debian source package with `apt-get source` through a private
# APT: its own deb-src list (derived from the machine's deb lines), lists,
# cache and state under a work directory. The machine's own APT configuration
# and state are never touched. Source it after common/lib.sh; it defines
# functions and runs nothing.
# shellcheck shell=bash

# The machine's apt sources the deb-src lines are derived from by default.
DEBIAN_SOURCE_LISTS=(/etc/apt/sources.list.d/debian.sources /etc/apt/sources.list)

# deb_src_lines FILE: for deb822 stanzas (.sources) or one-line entries, print
# the matching "deb-src [signed-by=...] URI SUITE COMPONENTS..." lines.
deb_src_lines() {
  local file="$1"
  if [[ "$file" == *.sources ]]; then
    awk -v RS='' -F'\n' '{
      delete f
      for (i = 1; i <= NF; i++)
        if ($i ~ /^[A-Za-z-]+:/) { k = tolower(substr($i, 1, index($i, ":") - 1)); v = substr($i, index($i, ":") + 1); gsub(/^[ \t]+|[ \t]+$/, "", v); f[k] = v }
      if (f["types"] !~ /(^| )deb( |$)/ || tolower(f["enabled"]) == "no") next
      opt = (f["signed-by"] ~ /^\//) ? "[signed-by=" f["signed-by"] "] " : ""
      n = split(f["uris"], u, /[ \t]+/); m = split(f["suites"], s, /[ \t]+/)
      for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
        print "deb-src " opt u[i] " " s[j] " " f["components"]
    }' "$file"
  else
    sed -n 's/^[[:space:]]*deb[[:space:]]\+/deb-src /p' "$file"
  fi
}

# apt_private WORK ARGS...: apt-get with its source list, lists, cache and
# state under WORK/apt.
apt_private() {
  local work="$1"
  shift
  local opts=(-q -o Dir::Etc::sourcelist="$work/apt/sources.list" -o Dir::Etc::sourceparts=-
    -o Dir::State="$work/apt/state" -o Dir::State::Lists="$work/apt/lists"
    -o Dir::Cache="$work/apt/cache")
  # As root apt downloads as the _apt user, who cannot write under WORK.
  [[ "$(id -u)" != 0 ]] || opts+=(-o APT::Sandbox::User=root)
  apt-get "${opts[@]}" "$@"
}

# fetch_debian_source WORK PACKAGE LOG [SOURCES...]: download and unpack
# Debian's source package PACKAGE (its patches applied) into WORK/src, afresh,
# with the deb-src lines derived from SOURCES (default: DEBIAN_SOURCE_LISTS).
# Fails with one line naming LOG. Sets DEBIAN_SOURCE_VERSION (from the .dsc,
# e.g. 2.1.12-stable-8) and DEBIAN_SOURCE_DIR (the unpacked tree).
fetch_debian_source() {
  local work="$1" package="$2" log="$3"
  shift 3
  local sources=("$@")
  ((${#sources[@]} > 0)) || sources=("${DEBIAN_SOURCE_LISTS[@]}")
  rm -rf "$work/apt" "$work/src"
  mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/apt/state" "$work/src"
  local file
  for file in "${sources[@]}"; do
    [[ -r "$file" ]] && deb_src_lines "$file"
  done >"$work/apt/sources.list"
  [[ -s "$work/apt/sources.list" ]] || die "no deb lines found in ${sources[*]} to derive deb-src lines from"
  info "$(wc -l <"$work/apt/sources.list") deb-src lines derived from ${sources[*]}"
  # apt-get update succeeds even when every source failed: look for an index.
  apt_private "$work" update >"$log" 2>&1 || true
  compgen -G "$work/apt/lists/*_Sources*" >/dev/null ||
    die "no deb-src index could be fetched from $work/apt/sources.list (see $log)"
  (cd "$work/src" && apt_private "$work" source --only-source "$package") >>"$log" 2>&1 ||
    die "apt-get source $package failed (see $log)"
  local dsc
  dsc="$(find "$work/src" -maxdepth 1 -name "${package}_*.dsc" | head -n 1)"
  [[ -n "$dsc" ]] || die "no ${package} .dsc was downloaded (see $log)"
  DEBIAN_SOURCE_VERSION="$(basename "$dsc" .dsc)"
  DEBIAN_SOURCE_VERSION="${DEBIAN_SOURCE_VERSION#"${package}"_}"
  DEBIAN_SOURCE_DIR="$(find "$work/src" -mindepth 1 -maxdepth 1 -type d -name "${package}-*" | head -n 1)"
  [[ -n "$DEBIAN_SOURCE_DIR" ]] || die "$package's source did not unpack in $work/src (see $log)"
}
