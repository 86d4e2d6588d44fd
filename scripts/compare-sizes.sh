#!/usr/bin/env bash
# Usage: scripts/compare-sizes.sh [options] [IMAGE_A IMAGE_B]
#
# Measure two images and show what the multi-stage build saved and where the
# bytes went. By default IMAGE_A is askeladden:v0.1 and IMAGE_B askeladden:v0.2;
# those two are built (make images) when missing or older than their sources.
# Any two local images may be compared by name.
#
# The report, lined up for people on stdout (progress lines on stderr):
#   - per image: the uncompressed size (what `docker images` shows: the
#     engine's .Size), the compressed size (what a push transfers: the layers
#     gzipped) and the number of layers;
#   - the ratio IMAGE_A/IMAGE_B and the bytes saved;
#   - per image, its layers: the instruction that made each one and its size;
#   - the diff: the largest paths in IMAGE_A that IMAGE_B does not have, and
#     the largest Debian packages (dpkg's estimate);
#   - the floor: IMAGE_B's binary (its entrypoint) plus the shared libraries it
#     loads (its ldd closure), the smallest image that could run it.
#
# Sizes in bytes use decimal units, as docker shows them: 1 MB = 1000000 bytes.
# "Uncompressed" sizes are the engine's own; "compressed" sizes are gzip.
#
# How the compressed size is obtained: each layer, as `docker save` streams it,
# is gzipped at level 6 (docker push's default level) with pigz on every CPU
# (gzip when pigz is missing) and the bytes are counted; the result is cached
# per layer digest under $ASKELADDEN_STATE/sizes, together with the layer's file
# list, so a rerun with unchanged images reads no layer at all and answers in
# a few seconds. The first run reads every layer once: 55-70 s for the 1.2 GB
# of askeladden:v0.1 on two busy cores, where `docker save` alone takes 25 s,
# piping it through gzip on one core 80 s and pushing it to a local registry
# 85 s. The registry would record what a push really sends: Go's gzip, about
# 2% more than pigz (431.3 MB against 422.3 MB for gcc:12's layer); the
# ratios barely move.
#
# Options:
#   --json               machine output on stdout, nothing else: images[] (version,
#                        name, id, size_bytes, compressed_bytes, layers[]), ratio,
#                        compressed_ratio, saved_bytes, saved_compressed_bytes,
#                        diff[] (path, bytes), diff_packages[] (package, bytes),
#                        floor_bytes, floor[] (path, bytes)
#   --markdown           the report as Markdown tables, for the docs
#   --svg FILE           also write a bar chart of the sizes to FILE
#   --max-size IMAGE=SIZE
#                        fail (exit 1, naming the image) when IMAGE's uncompressed
#                        size is over SIZE: 80MB, 80M, 1.5GB, 75MiB or bytes;
#                        MB and M are 10^6 bytes, MiB is 2^20. Repeatable.
#   --top N              how many paths the diff lists (default 12)
#   --no-build           measure the images as they are: do not build missing or
#                        outdated default images
#   -h, --help           show this help
#
# Exit status: 0 when the report is printed and every budget holds; 1 on an
# error or a blown budget; 2 on bad usage.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

FORMAT=text
SVG_FILE=
TOP=12
BUILD=1
BUDGETS=()
IMAGES=()
CACHE="$ASKELADDEN_STATE/sizes"
# lib.sh's colours follow stderr; the report on stdout has its own.
if [[ -t 1 && -n "$C_RESET" ]]; then
  O_BOLD="$C_BOLD" O_DIM="$C_DIM" O_RESET="$C_RESET"
else
  O_BOLD='' O_DIM='' O_RESET=''
fi

while (($# > 0)); do
  case "$1" in
    -h | --help) print_usage; exit 0 ;;
    --json) FORMAT=json ;;
    --markdown) FORMAT=markdown ;;
    --svg)
      [[ -n "${2:-}" ]] || usage_error "--svg needs a file name"
      SVG_FILE="$2"; shift ;;
    --svg=*) SVG_FILE="${1#*=}" ;;
    --max-size)
      (($# > 1)) || usage_error "--max-size needs IMAGE=SIZE"
      BUDGETS+=("$2"); shift ;;
    --max-size=*) BUDGETS+=("${1#*=}") ;;
    --top)
      [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage_error "--top needs a positive number"
      TOP="$2"; shift ;;
    --no-build) BUILD=0 ;;
    -*) usage_error "unknown option '$1'" ;;
    *) IMAGES+=("$1") ;;
  esac
  shift
done

case "${#IMAGES[@]}" in
  0) IMAGES=(askeladden:v0.1 askeladden:v0.2) ;;
  2) ;;
  *) usage_error "name two images, or none for askeladden:v0.1 and askeladden:v0.2" ;;
esac
[[ "${IMAGES[0]}" != "${IMAGES[1]}" ]] || usage_error "name two different images"

# Budgets: IMAGE=SIZE, checked now so that a typo fails before any work.
BUDGET_NAMES=() BUDGET_BYTES=()
for budget in "${BUDGETS[@]}"; do
  [[ "$budget" == ?*=?* ]] || usage_error "--max-size wants IMAGE=SIZE, not '$budget'"
  bytes="$(parse_bytes "${budget##*=}")" ||
    usage_error "--max-size: bad size '${budget##*=}' (try 80MB, 1.5GB, 75MiB or bytes)"
  BUDGET_NAMES+=("${budget%=*}") BUDGET_BYTES+=("$bytes")
done

# ---------------------------------------------------------------- preflight
require_cmd jq awk tar sha256sum
require_docker
if have pigz; then
  COMPRESSOR=(pigz -6 -p "$(nproc)")
  COMPRESSOR_NAME="gzip -6 with pigz on $(nproc) CPUs"
else
  COMPRESSOR=(gzip -6)
  COMPRESSOR_NAME="gzip -6 (install pigz for a faster first run)"
fi
mkdir -p "$CACHE/layers" "$CACHE/images"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# The snapshot directory an image is built from, when it is one of ours.
snapshot_dir() {
  local tag="${1#askeladden:}"
  [[ "$1" == askeladden:v* && -f "$ASKELADDEN_ROOT/$tag/Dockerfile" ]] || return 1
  printf '%s\n' "$ASKELADDEN_ROOT/$tag"
}

epoch_of_image() { date -d "$(docker image inspect -f '{{.Created}}' "$1")" +%s; }

# Why IMAGE must be (re)built, or nothing when it is up to date: missing, older
# than a file of its build context, or older than a base image it starts from.
build_reason() {
  local image="$1" dir="$2" built newest base
  image_exists "$image" || { echo "missing"; return; }
  built="$(epoch_of_image "$image")"
  # A build that changed nothing keeps the image's old creation time: the
  # stamp says when make images last built it here.
  local stamp="$CACHE/images/${image//[:\/]/-}.built"
  [[ -f "$stamp" ]] && (($(stat -c %Y "$stamp") > built)) && built="$(stat -c %Y "$stamp")"
  # The build context without the host's build outputs (see .dockerignore).
  newest="$(find "$dir" -type f ! -path "$dir/build/*" ! -path "$dir/askeladden" \
    ! -name '*.o' ! -name '*.a' -printf '%T@\n' | sort -n | tail -n 1)"
  if [[ -n "$newest" ]] && ((${newest%.*} > built)); then
    echo "older than its sources"
    return
  fi
  while read -r base; do
    image_exists "$base" && (($(epoch_of_image "$base") > built)) &&
      { echo "older than its base image $base"; return; }
  done < <(awk 'toupper($1) == "FROM" { print $2 }' "$dir/Dockerfile" | grep -v -e '^\$' | sort -u)
  return 0
}

# ------------------------------------------------- 1. the images are there
step "1/4 images: ${IMAGES[0]} and ${IMAGES[1]}"
need_build=()
for image in "${IMAGES[@]}"; do
  if dir="$(snapshot_dir "$image")"; then
    reason="$(build_reason "$image" "$dir")"
    if [[ -n "$reason" ]]; then
      if ((!BUILD)); then
        [[ "$reason" == missing ]] && die "$image is missing, and --no-build was given"
        warn "$image is $reason; measuring it as it is (--no-build)"
        continue
      fi
      info "$image: $reason, building it"
      need_build+=("$image")
    fi
  else
    image_exists "$image" ||
      die "image $image not found locally (only askeladden:v0.X images are built here)"
  fi
done
if ((${#need_build[@]} > 0)); then
  # On a fresh machine this installs Docker and builds the base images first:
  # minutes, shown as one progress line every 30 s, the whole output in a log.
  build_log="$ASKELADDEN_STATE/compare-sizes-make-images.log"
  info "running make images (log: $build_log)"
  started=$SECONDS build_started="$(date +%s)"
  run_logged "$build_log" "make images" make --no-print-directory -C "$ASKELADDEN_ROOT" images ||
    die "make images failed after $((SECONDS - started)) s: $(tail -n 1 "$build_log") (log: $build_log)"
  info "make images: done in $((SECONDS - started)) s"
  # Say what base-images.sh did: pulled, found, or built a local stand-in.
  grep -E '^ok  .*(present locally|pulled|stand-in built)|building a local stand-in' "$build_log" |
    sed -E 's/^(==> |ok  |    )//; s/ \(this happens once.*$//' | while IFS= read -r line; do info "$line"; done
  for image in "${need_build[@]}"; do
    image_exists "$image" || die "make images did not produce $image"
    touch -d "@$build_started" "$CACHE/images/${image//[:\/]/-}.built"
  done
fi
for image in "${IMAGES[@]}"; do
  info "$image: $(docker image inspect -f '{{.Id}}' "$image" | cut -c 8-19), $(human_bytes "$(docker image inspect -f '{{.Size}}' "$image")")"
done

# ------------------------------------------------- 2. measure each image
# save_member: run by tar for each member of a `docker save` stream (its name
# in TAR_FILENAME, its size in TAR_SIZE). A layer (NAME/layer.tar, or a blob in
# the OCI layout of newer engines) not yet in the cache is hashed, gzipped and
# counted, and its file list written, in one pass; its digest names it in the
# cache. A layer the cache has, by its size (by name for a blob), is only
# hashed; if the hash says otherwise, the caller reads the image again with
# SAVE_NOSKIP=1.
save_member() {
  local name="$TAR_FILENAME" digest="" skip=0
  case "$name" in
    "$SAVE_ID.json" | "blobs/sha256/$SAVE_ID") cat >"$SAVE_WORK/config.json"; return 0 ;;
    */layer.tar) ;;
    blobs/sha256/*)
      digest="${name##*/}"
      grep -qx "$digest" "$SAVE_WORK/expected" || { cat >/dev/null; return 0; }
      ;;
    *) cat >/dev/null; return 0 ;;
  esac
  if [[ -z "${SAVE_NOSKIP:-}" ]]; then
    local d
    while read -r d; do
      [[ -s "$SAVE_CACHE/$d.gz" && -e "$SAVE_CACHE/$d.files" ]] || continue
      [[ -z "$digest" && "$(cat "$SAVE_CACHE/$d.tar-bytes" 2>/dev/null)" == "$TAR_SIZE" ]] && skip=1
      [[ "$digest" == "$d" ]] && skip=1
    done <"$SAVE_WORK/expected"
  fi
  local out sum
  out="$(mktemp -d "$SAVE_WORK/layer.XXXXXX")"
  if ((skip)); then
    sha256sum | cut -d ' ' -f 1 >"$out/hash"
  else
    mkfifo "$out/hash.fifo" "$out/list.fifo"
    sha256sum <"$out/hash.fifo" | cut -d ' ' -f 1 >"$out/hash" &
    # tar stops at the end-of-archive blocks: drain the rest for tee.
    { tar -tv --numeric-owner -f - && cat >/dev/null; } <"$out/list.fifo" | layer_files >"$out/files" &
    # SAVE_COMPRESSOR is a command line (an environment variable cannot hold
    # an array): split it on purpose.
    # shellcheck disable=SC2086
    tee "$out/hash.fifo" "$out/list.fifo" | $SAVE_COMPRESSOR | wc -c >"$out/gz"
    wait
  fi
  sum="$(cat "$out/hash")"
  if ! grep -qx "$sum" "$SAVE_WORK/expected"; then
    echo "layer $name has digest $sum, which the image does not list" >>"$SAVE_WORK/errors"
    return 1
  fi
  if ((!skip)); then
    echo "$TAR_SIZE" >"$SAVE_CACHE/$sum.tar-bytes"
    mv "$out/files" "$SAVE_CACHE/$sum.files"
    mv "$out/gz" "$SAVE_CACHE/$sum.gz"
  fi
  rm -rf "$out"
}

# layer_files: `tar -tv` of a layer on stdin, out one line per entry that
# counts: "SIZE<TAB>/path" for files, "W<TAB>/path" for a whiteout (the path
# is deleted from the layers below), "O<TAB>/dir" for an opaque directory.
layer_files() {
  awk '
    match($0, /^[^ ]+ +[^ ]+ +[0-9,]+ +[^ ]+ +[^ ]+ /) {
      type = substr($1, 1, 1); size = $3
      path = substr($0, RLENGTH + 1)
      if (type == "l") sub(/ -> .*$/, "", path)
      if (type == "h") sub(/ link to .*$/, "", path)
      sub(/^\.\//, "", path); sub(/\/$/, "", path)
      path = "/" path
      base = path; sub(/^.*\//, "", base)
      dir = substr(path, 1, length(path) - length(base) - 1)
      if (base == ".wh..wh..opq") print "O\t" dir
      else if (base ~ /^\.wh\./) print "W\t" dir "/" substr(base, 5)
      else if (type == "-") print size "\t" path
      else if (type != "d") print 0 "\t" path
    }'
}

# A layer's file list may be empty (a WORKDIR that already existed).
layer_cached() { [[ -s "$CACHE/layers/$1.gz" && -e "$CACHE/layers/$1.files" ]]; }
all_cached() {
  local digest
  while read -r digest; do layer_cached "$digest" || return 1; done <"$1"
}

# save_pass IMAGE INDEX ID NOSKIP: one `docker save` of IMAGE through
# save_member. Errors are one line on stdout and status 1; tar notes how much
# it has read every 100 MB (9766 records of 10240 bytes), for the progress lines.
save_pass() {
  local image="$1" i="$2" id="$3" sw="$WORK/save-$2" rc=0
  rm -rf "$sw"
  mkdir -p "$sw"
  cp "$WORK/$i.expected" "$sw/expected"
  # tar runs the command with /bin/sh, which drops exported bash functions:
  # hand it a script made of the two functions instead.
  { declare -f save_member layer_files; echo save_member; } >"$WORK/save-member.sh"
  docker save "$id" |
    SAVE_WORK="$sw" SAVE_ID="${id#sha256:}" SAVE_CACHE="$CACHE/layers" SAVE_NOSKIP="$4" \
      SAVE_COMPRESSOR="${COMPRESSOR[*]}" \
      tar -x -f - --to-command="bash $WORK/save-member.sh" \
      --checkpoint=9766 --checkpoint-action='echo=read so far, %T' 2>&1 | tee "$sw/tar.log" || rc=$?
  if [[ -s "$sw/errors" ]]; then
    head -n 1 "$sw/errors"
  elif ((rc != 0)); then
    echo "docker save failed: $(grep -v -e '^$' -e 'Exiting with failure' -e '^tar: read so far' "$sw/tar.log" | sed -n 1p)"
  elif [[ ! -s "$sw/config.json" ]]; then
    echo "docker save did not include the image config"
  else
    return 0
  fi
  return 1
}

# measure IMAGE INDEX: write $WORK/INDEX.json with the image's sizes and
# layers, and $WORK/INDEX.files with its final file list (SIZE<TAB>/path).
measure() {
  local image="$1" i="$2" id size
  # One inspect, and the ID from then on: a rebuild under way cannot mix two
  # images into one measurement.
  read -r id size < <(docker image inspect -f '{{.Id}} {{.Size}}' "$image")
  local config="$CACHE/images/${id#sha256:}.config.json"
  docker image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' "$id" |
    sed -e '/^$/d' -e 's/^sha256://' >"$WORK/$i.expected"
  local missing=0 digest
  while read -r digest; do
    layer_cached "$digest" || missing=$((missing + 1))
  done <"$WORK/$i.expected"

  # The engine's size of every layer and every instruction, oldest first.
  docker history --no-trunc --human=false --format $'{{.Size}}\t{{json .CreatedBy}}\t{{json .Comment}}' "$id" |
    tac | jq -R -s -c 'split("\n") | map(select(length > 0) | split("\t")
      | {size: (.[0] | tonumber), created_by: (.[1] | fromjson), comment: (.[2] | fromjson)})' >"$WORK/$i.history"
  # Which instructions made no layer is in the image config, which only
  # `docker save` gives, after every layer. When the layers are all measured,
  # save reading them again: instructions that only set metadata make no
  # layer, and the rest must then match the layers one for one.
  if ((missing == 0)) && [[ ! -s "$config" ]]; then
    jq -c --argjson layers "$(wc -l <"$WORK/$i.expected")" '
      {history: map({created_by, comment, empty_layer: (.size == 0 and (.created_by
        | test("^(/bin/sh -c #\\(nop\\) +)?(ENV|LABEL|ARG|EXPOSE|ENTRYPOINT|CMD|USER|VOLUME|STOPSIGNAL|HEALTHCHECK|SHELL|ONBUILD|MAINTAINER)\\b")))})}
      | select([.history[] | select(.empty_layer | not)] | length == $layers)' \
      "$WORK/$i.history" >"$config.tmp" && [[ -s "$config.tmp" ]] && mv "$config.tmp" "$config"
  fi
  if ((missing > 0)) || [[ ! -s "$config" ]]; then
    local started=$SECONDS
    if ((missing > 0)); then
      info "$image: compressing $missing of $(wc -l <"$WORK/$i.expected") layers ($COMPRESSOR_NAME; once per layer, then cached)"
    else
      info "$image: reading its history from docker save (layers already measured)"
    fi
    local log="$WORK/save-$i.log"
    run_logged "$log" "$image" save_pass "$image" "$i" "$id" "" || die "$image: $(tail -n 1 "$log")"
    if ! all_cached "$WORK/$i.expected"; then
      info "$image: a layer was not the one its size suggested; reading the image again"
      run_logged "$log" "$image" save_pass "$image" "$i" "$id" 1 || die "$image: $(tail -n 1 "$log")"
    fi
    all_cached "$WORK/$i.expected" || die "$image: a layer was missing from the docker save stream"
    jq -c '{history: [.history[]? | {created_by: (.created_by // ""), comment: (.comment // ""), empty_layer: (.empty_layer // false)}]}' \
      "$WORK/save-$i/config.json" >"$config.tmp" && mv "$config.tmp" "$config"
    info "$image: measured in $((SECONDS - started)) s"
  fi

  # Each layer: the instruction that made it (the config's history without
  # the empty_layer entries) and the engine's size for it.
  local sizes_json gz_json
  sizes_json="$(jq -c 'map(.size)' "$WORK/$i.history")"
  gz_json="$(while read -r digest; do printf '%s %s\n' "$digest" "$(cat "$CACHE/layers/$digest.gz")"; done <"$WORK/$i.expected" |
    jq -R -s -c 'split("\n") | map(select(length > 0) | split(" ") | {digest: ("sha256:" + .[0]), compressed_bytes: (.[1] | tonumber)})')"
  jq -c --arg name "$image" --arg id "$id" --argjson size "$size" \
    --argjson hsizes "$sizes_json" --argjson gz "$gz_json" '
    def instruction:
      if .created_by == "" then "(imported) " + .comment
      else .created_by | sub("^/bin/sh -c #\\(nop\\) +"; "") | sub("^/bin/sh -c "; "RUN ")
      end;
    .history as $h
    | ([range(0; $h | length) | select($h[.].empty_layer | not)]) as $idx
    | {
        version: ($name | if test(":[^/:]+$") then sub("^.*:"; "") else "latest" end),
        name: $name, id: $id, size_bytes: $size,
        compressed_bytes: ([$gz[].compressed_bytes] | add // 0),
        layers: [range(0; $gz | length) as $n
          | ($idx[$n]) as $k
          | {digest: $gz[$n].digest,
             instruction: (if $k == null then "" else ($h[$k] | instruction) end),
             size_bytes: (if ($hsizes | length) == ($h | length) and $k != null then $hsizes[$k] else null end),
             compressed_bytes: $gz[$n].compressed_bytes}],
        metadata_only: ([$h[] | select(.empty_layer)] | length)
      }' "$config" >"$WORK/$i.json"

  # The final file system: the layers in order, whiteouts applied.
  local files=()
  while read -r digest; do files+=("$CACHE/layers/$digest.files"); done <"$WORK/$i.expected"
  awk -F '\t' '
    FNR == 1 { layer++ }
    $1 == "W" { for (k in f) if (k == $2 || index(k, $2 "/") == 1) delete f[k]; next }
    $1 == "O" { for (k in f) if (index(k, $2 "/") == 1 && at[k] < layer) delete f[k]; next }
    { f[$2] = $1; at[$2] = layer }
    END { for (k in f) print f[k] "\t" k }' "${files[@]}" >"$WORK/$i.files"
}

step "2/4 sizes: uncompressed from the engine, compressed by gzip per layer"
measure "${IMAGES[0]}" a
measure "${IMAGES[1]}" b

# ------------------------------------------------- 3. the diff
# Paths in A and not in B, summed per directory: three levels deep
# (/usr/lib/gcc, /usr/share/doc), two for the headers (/usr/include), and the
# multiarch library directory split into *.a, *.so* and its subdirectories.
step "3/4 diff: what ${IMAGES[0]} has and ${IMAGES[1]} does not"
ID_A="$(jq -r .id "$WORK/a.json")" ID_B="$(jq -r .id "$WORK/b.json")"
DIFF_CACHE="$CACHE/images/${ID_A#sha256:}-${ID_B#sha256:}.diff2"
if [[ ! -s "$DIFF_CACHE" ]]; then
  awk -F '\t' '
    FNR == NR { inb[$2] = 1; next }
    !($2 in inb) {
      n = split($2, p, "/")
      depth = (p[2] == "usr" && p[3] == "include") ? 2 : 3
      # The multiarch library directory holds most of a fat image: its own
      # subdirectories, and its files split into static and shared libraries.
      if (p[2] == "usr" && p[3] == "lib" && p[4] ~ /-linux-gnu/) depth = 4
      key = ""
      for (j = 2; j < n && j <= depth + 1; j++) key = key "/" p[j]
      if (key == "") key = "/"
      if (depth == 4 && n == 5) key = key ($2 ~ /\.a$/ ? "/*.a" : $2 ~ /\.so(\.|$)/ ? "/*.so*" : "")
      sum[key] += $1; total += $1
    }
    END { print total "\t(total)"; for (k in sum) print sum[k] "\t" k }' \
    "$WORK/b.files" "$WORK/a.files" | sort -t "$(printf '\t')" -k1,1nr >"$DIFF_CACHE.tmp"
  mv "$DIFF_CACHE.tmp" "$DIFF_CACHE"
fi
EXTRA_TOTAL="$(awk -F '\t' '$2 == "(total)" { print $1 }' "$DIFF_CACHE")"
awk -F '\t' -v top="$TOP" '$2 != "(total)" && n++ < top' "$DIFF_CACHE" |
  jq -R -s -c 'split("\n") | map(select(length > 0) | split("\t") | {path: .[1], bytes: (.[0] | tonumber)})' >"$WORK/diff.json"

# The same by Debian package: what dpkg says each image has installed, with
# dpkg's own estimate of its size (Installed-Size, in KiB). Cached by image
# ID; an image without dpkg just has no package list.
packages() {
  local id="$1" list="$CACHE/images/${1#sha256:}.packages"
  if [[ ! -e "$list" ]]; then
    docker run --rm --network none --entrypoint dpkg-query "$id" \
      -W -f '${db:Status-Abbrev}\t${Installed-Size}\t${Package}\n' 2>/dev/null |
      awk -F '\t' '$1 ~ /^ii/ { print $2 * 1024 "\t" $3 }' >"$list.tmp" || true
    mv "$list.tmp" "$list"
  fi
  cat "$list"
}
packages "$ID_B" >"$WORK/b.packages"
packages "$ID_A" >"$WORK/a.packages"
awk -F '\t' 'FNR == NR { inb[$2] = 1; next } !($2 in inb)' "$WORK/b.packages" "$WORK/a.packages" |
  sort -t "$(printf '\t')" -k1,1nr | awk -v top="$TOP" 'NR <= top' |
  jq -R -s -c 'split("\n") | map(select(length > 0) | split("\t") | {package: .[1], bytes: (.[0] | tonumber)})' >"$WORK/diff-packages.json"

# ------------------------------------------------- 4. the floor
# IMAGE_B's binary (its entrypoint, or its command) and every library ldd says
# it loads, measured inside a container of IMAGE_B; cached by image ID.
step "4/4 floor: ${IMAGES[1]}'s binary and the shared libraries it loads"
FLOOR_CACHE="$CACHE/images/${ID_B#sha256:}.floor"
measure_floor() {
  local binary
  binary="$(docker image inspect -f '{{if .Config.Entrypoint}}{{index .Config.Entrypoint 0}}{{else if .Config.Cmd}}{{index .Config.Cmd 0}}{{end}}' "$ID_B")"
  [[ -n "$binary" ]] || { echo "it has neither an entrypoint nor a command"; return 1; }
  # shellcheck disable=SC2016
  local floor_script='b=$(command -v "$1") || exit 3
    { echo "$b"; ldd "$b" 2>/dev/null | awk "/=> \\// { print \$3; next } \$1 ~ /^\\// { print \$1 }"; } |
    while read -r f; do r=$(readlink -f "$f") && echo "$(stat -L -c %s "$f") $r"; done | sort -u -k 2'
  docker run --rm --network none --user 0 --entrypoint /bin/sh "$ID_B" -c "$floor_script" sh "$binary" \
    >"$FLOOR_CACHE.tmp" 2>"$WORK/floor.log" ||
    { echo "listing $binary and its libraries in a container failed: $(tail -n 1 "$WORK/floor.log")"; return 1; }
  mv "$FLOOR_CACHE.tmp" "$FLOOR_CACHE"
}
if [[ -s "$FLOOR_CACHE" ]] || why="$(measure_floor)"; then
  jq -R -s -c 'split("\n") | map(select(length > 0) | capture("^(?<bytes>[0-9]+) (?<path>.*)$") | {path, bytes: (.bytes | tonumber)})' \
    "$FLOOR_CACHE" >"$WORK/floor.json"
else
  warn "no floor for ${IMAGES[1]}: $why"
  echo '[]' >"$WORK/floor.json"
fi

# ------------------------------------------------- the report
jq -n --slurpfile a "$WORK/a.json" --slurpfile b "$WORK/b.json" \
  --slurpfile diff "$WORK/diff.json" --slurpfile floor "$WORK/floor.json" \
  --slurpfile packages "$WORK/diff-packages.json" \
  --argjson extra "${EXTRA_TOTAL:-0}" --arg compressor "$COMPRESSOR_NAME" '
  ($a[0] | del(.metadata_only)) as $A | ($b[0] | del(.metadata_only)) as $B
  | {
      units: "bytes; size_bytes is uncompressed (the engine'"'"'s .Size), compressed_bytes is the layers gzipped",
      compressed_by: $compressor,
      images: [$A, $B],
      ratio: ($A.size_bytes / $B.size_bytes),
      compressed_ratio: ($A.compressed_bytes / $B.compressed_bytes),
      saved_bytes: ($A.size_bytes - $B.size_bytes),
      saved_compressed_bytes: ($A.compressed_bytes - $B.compressed_bytes),
      diff_total_bytes: $extra,
      diff: $diff[0],
      diff_packages: $packages[0],
      floor_bytes: ([$floor[0][].bytes] | add),
      floor: $floor[0]
    }' >"$WORK/report.json"

R="$WORK/report.json"
j() { jq -r "$@" "$R"; }
hb() { if (($1 < 0)); then echo "-$(human_bytes $((-$1)))"; else human_bytes "$1"; fi; }
A_NAME="${IMAGES[0]}" B_NAME="${IMAGES[1]}"
A_SIZE="$(j '.images[0].size_bytes')" B_SIZE="$(j '.images[1].size_bytes')"
A_GZ="$(j '.images[0].compressed_bytes')" B_GZ="$(j '.images[1].compressed_bytes')"
RATIO="$(printf '%.1f' "$(j .ratio)")" GZ_RATIO="$(printf '%.1f' "$(j .compressed_ratio)")"
SAVED="$(j .saved_bytes)" GZ_SAVED="$(j .saved_compressed_bytes)"
FLOOR="$(j '.floor_bytes // 0')"

print_text() {
  local w=$((${#A_NAME} > ${#B_NAME} ? ${#A_NAME} : ${#B_NAME}))
  ((w < 5)) && w=5
  printf '%sSizes%s (uncompressed: as docker images shows, the engine'"'"'s .Size; compressed: the layers gzipped, what a push transfers)\n\n' "$O_BOLD" "$O_RESET"
  printf '  %-*s  %12s  %14s  %12s  %6s\n' "$w" image uncompressed "(bytes)" compressed layers
  local i
  for i in 0 1; do
    printf '  %-*s  %12s  %14s  %12s  %6s\n' "$w" "$(j ".images[$i].name")" \
      "$(hb "$(j ".images[$i].size_bytes")")" "$(j ".images[$i].size_bytes")" \
      "$(hb "$(j ".images[$i].compressed_bytes")")" "$(j ".images[$i].layers | length")"
  done
  printf '\n  %s is %sx the size of %s uncompressed (%sx compressed)\n' "$A_NAME" "$RATIO" "$B_NAME" "$GZ_RATIO"
  printf '  saved: %s uncompressed, %s compressed\n' "$(hb "$SAVED")" "$(hb "$GZ_SAVED")"

  for i in 0 1; do
    printf '\n%sLayers of %s%s (oldest first; uncompressed and compressed)\n' "$O_BOLD" "$(j ".images[$i].name")" "$O_RESET"
    printf '  %12s  %12s  %s\n' uncompressed compressed instruction
    j ".images[$i].layers[] | [(.size_bytes // -1), .compressed_bytes, .instruction] | @tsv" |
      while IFS=$'\t' read -r size gz what; do
        [[ "$size" == -1 ]] && size="?" || size="$(hb "$size")"
        ((${#what} > 72)) && what="${what:0:69}..."
        printf '  %12s  %12s  %s\n' "$size" "$(hb "$gz")" "$what"
      done
    local meta
    meta="$(jq -r '.metadata_only' "$WORK/$([[ $i == 0 ]] && echo a || echo b).json")"
    ((meta > 0)) && printf '  %s%s more instructions (ENV, LABEL, EXPOSE, ...) only change the config: no layer%s\n' "$O_DIM" "$meta" "$O_RESET"
  done

  printf '\n%sWhere the bytes went%s: paths in %s and not in %s (uncompressed, by directory)\n' "$O_BOLD" "$O_RESET" "$A_NAME" "$B_NAME"
  j '.diff[] | [.bytes, .path] | @tsv' | while IFS=$'\t' read -r bytes path; do
    printf '  %12s  %s\n' "$(hb "$bytes")" "$path"
  done
  printf '  %12s  all %s paths that %s does not have\n' "$(hb "$(j .diff_total_bytes)")" "$A_NAME" "$B_NAME"
  if (($(j '.diff_packages | length') > 0)); then
    printf '\n%sThe same by package%s: Debian packages in %s and not in %s (dpkg'"'"'s Installed-Size)\n' "$O_BOLD" "$O_RESET" "$A_NAME" "$B_NAME"
    j '.diff_packages[] | [.bytes, .package] | @tsv' | while IFS=$'\t' read -r bytes package; do
      printf '  %12s  %s\n' "$(hb "$bytes")" "$package"
    done
  fi

  printf '\n%sThe floor%s: %s'"'"'s binary and the shared libraries it loads (uncompressed)\n' "$O_BOLD" "$O_RESET" "$B_NAME"
  j '.floor[] | [.bytes, .path] | @tsv' | while IFS=$'\t' read -r bytes path; do
    printf '  %12s  %s\n' "$(hb "$bytes")" "$path"
  done
  if ((FLOOR == 0)); then
    printf '  %12s  (not measured: see the warning above)\n' unknown
  else
    printf '  %12s  total: the smallest image that could run it\n' "$(hb "$FLOOR")"
    printf '  %s is %s above the floor (%sx it)\n' "$B_NAME" "$(hb $((B_SIZE - FLOOR)))" "$(printf '%.1f' "$(j '.images[1].size_bytes / .floor_bytes')")"
  fi
}

# Backquotes here are Markdown code spans, not command substitutions.
# shellcheck disable=SC2016
print_markdown() {
  printf 'Uncompressed: the size `docker images` shows. Compressed: the layers gzipped, what a push transfers. 1 MB = 10^6 bytes.\n\n'
  printf '| image | uncompressed | compressed | layers |\n| --- | ---: | ---: | ---: |\n'
  local i
  for i in 0 1; do
    printf '| `%s` | %s | %s | %s |\n' "$(j ".images[$i].name")" "$(hb "$(j ".images[$i].size_bytes")")" \
      "$(hb "$(j ".images[$i].compressed_bytes")")" "$(j ".images[$i].layers | length")"
  done
  ((FLOOR == 0)) || printf '| floor: binary + its libraries | %s | | |\n' "$(hb "$FLOOR")"
  printf '\n`%s` is %s× `%s` (%s× compressed): %s saved, %s compressed.\n' \
    "$A_NAME" "$RATIO" "$B_NAME" "$GZ_RATIO" "$(hb "$SAVED")" "$(hb "$GZ_SAVED")"
  printf '\n| in `%s`, not in `%s` | uncompressed |\n| --- | ---: |\n' "$A_NAME" "$B_NAME"
  j '.diff[] | [.bytes, .path] | @tsv' | while IFS=$'\t' read -r bytes path; do
    printf '| `%s` | %s |\n' "$path" "$(hb "$bytes")"
  done
}

# A horizontal bar chart: both sizes of both images, and the floor, on one
# linear scale, with the numbers next to the bars.
write_svg() {
  local file="$1" max="$A_SIZE"
  ((B_SIZE > max)) && max="$B_SIZE"
  {
    printf '%s\t%s\t%s\t%s\n' "$A_NAME uncompressed" "$A_SIZE" "$(hb "$A_SIZE")" '#c0392b'
    printf '%s\t%s\t%s\t%s\n' "$A_NAME compressed" "$A_GZ" "$(hb "$A_GZ")" '#e6a19a'
    printf '%s\t%s\t%s\t%s\n' "$B_NAME uncompressed" "$B_SIZE" "$(hb "$B_SIZE")" '#2471a3'
    printf '%s\t%s\t%s\t%s\n' "$B_NAME compressed" "$B_GZ" "$(hb "$B_GZ")" '#9cc3e0'
    ((FLOOR == 0)) || printf '%s\t%s\t%s\t%s\n' "floor: binary + libraries" "$FLOOR" "$(hb "$FLOOR")" '#27ae60'
  } | awk -F '\t' -v max="$max" -v title="Image sizes: $A_NAME vs $B_NAME (1 MB = 10^6 bytes)" '
    function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s); return s }
    { label[NR] = $1; bytes[NR] = $2; text[NR] = $3; colour[NR] = $4 }
    END {
      left = 250; width = 480; bar = 26; gap = 12; top = 50
      h = top + NR * (bar + gap) + 30
      printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"14\">\n", left + width + 110, h, left + width + 110, h
      printf "  <rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n"
      printf "  <text x=\"16\" y=\"28\" font-size=\"16\" font-weight=\"bold\">%s</text>\n", esc(title)
      for (i = 1; i <= NR; i++) {
        y = top + (i - 1) * (bar + gap)
        w = max > 0 ? bytes[i] / max * width : 0
        if (bytes[i] > 0 && w < 2) w = 2
        printf "  <text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 10, y + bar / 2 + 5, esc(label[i])
        printf "  <rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: %s bytes</title></rect>\n", left, y, w, bar, colour[i], esc(label[i]), bytes[i]
        printf "  <text x=\"%.1f\" y=\"%d\">%s</text>\n", left + w + 8, y + bar / 2 + 5, esc(text[i])
      }
      printf "  <text x=\"16\" y=\"%d\" font-size=\"12\" fill=\"#555555\">compressed: each layer gzipped (level 6), what a docker push transfers</text>\n", h - 12
      printf "</svg>\n"
    }' >"$file.tmp" && mv "$file.tmp" "$file"
}

case "$FORMAT" in
  json) jq . "$R" ;;
  markdown) print_markdown ;;
  text) print_text ;;
esac
if [[ -n "$SVG_FILE" ]]; then
  write_svg "$SVG_FILE" || die "could not write $SVG_FILE"
  info "bar chart written to $SVG_FILE"
fi

# Budgets last, so that the report is there to explain a failure.
over=0
for k in "${!BUDGET_NAMES[@]}"; do
  name="${BUDGET_NAMES[$k]}" limit="${BUDGET_BYTES[$k]}"
  case "$name" in
    "$A_NAME") size="$A_SIZE" ;;
    "$B_NAME") size="$B_SIZE" ;;
    *) size="$(docker image inspect -f '{{.Size}}' "$name" 2>/dev/null)" || die "--max-size: no image $name" ;;
  esac
  if ((size > limit)); then
    printf '%s%s: over budget:%s %s is %s (%s bytes), over its --max-size of %s (%s bytes)\n' \
      "$C_RED" "$SCRIPT_NAME" "$C_RESET" "$name" "$(hb "$size")" "$size" "$(hb "$limit")" "$limit" >&2
    over=1
  else
    ok "$name is $(hb "$size"), within its budget of $(hb "$limit")"
  fi
done
((over == 0)) || exit 1
