#!/usr/bin/env bash
# Usage: tests/compare_sizes_test.sh [--help]
#
# scripts/compare-sizes.sh against askeladden:v0.1 and askeladden:v0.2 (built
# when missing): its numbers are the engine's own, its JSON parses and adds up,
# a rerun answers from the cache (no docker save read), an image older than its sources
# is rebuilt, --top and --markdown print what the JSON says, a size budget
# fails when blown and passes when met, the diff names the compiler's paths,
# and every error is one line with a non-zero exit. One line per check, then
# "compare-sizes: N passed, N failed". Needs a Docker engine, xmllint and rsvg-convert
# (scripts/setup.sh build images). The modules' own unit tests are
# tests/compare_sizes/run.py.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

accept_only_help "$@"

cd "$ASKELADDEN_ROOT"
SCRIPT=scripts/compare-sizes.sh
A=askeladden:v0.1 B=askeladden:v0.2
SCRIPT_PREFIX="compare-sizes.sh: error:"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# run NAME ARGS...: run the script, keeping stdout, stderr and the exit status.
run() {
  local name="$1"
  shift
  local rc=0
  "$SCRIPT" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
  echo "$rc" >"$tmp/$name.rc"
}
rc_of() { cat "$tmp/$1.rc"; }
# An error is one line on stderr (after any progress lines) and nothing on stdout.
one_error_line() {
  [[ ! -s "$tmp/$1.out" ]] && [[ "$(grep -c -e 'error:' -e '--help' "$tmp/$1.err")" == 1 ]]
}

# ----------------------------------------------------------- usage
check "--help says how the compressed size is obtained" bash -c "'$SCRIPT' --help | grep -q 'gzipped at level 6'"
run badopt --no-such-option
check "an unknown option is one line" one_error_line badopt
run badsize --max-size "$B=lots"
check_eq "a bad --max-size size exits 2" 2 "$(rc_of badsize)"
run badbudget --max-size 80MB
check_eq "a --max-size without IMAGE= exits 2" 2 "$(rc_of badbudget)"
# Checked before any work: no progress line comes first.
run otherbudget --max-size nosuch:img=80MB
check_eq "a budget for an image not compared exits 2" 2 "$(rc_of otherbudget)"
check_eq "a budget for an image not compared: one line, before any work" \
  "compare-sizes.sh: --max-size: nosuch:img is not one of the images compared ($A, $B) (see compare-sizes.sh --help)" \
  "$(cat "$tmp/otherbudget.err")"
run badsvg --svg "$tmp/no/such/dir/c.svg"
check_eq "an unwritable --svg path exits 1" 1 "$(rc_of badsvg)"
check_eq "an unwritable --svg path: one line with the reason, before any work" \
  "$SCRIPT_PREFIX --svg $tmp/no/such/dir/c.svg: cannot write the chart there: No such file or directory" \
  "$(cat "$tmp/badsvg.err")"
run oneimage "$A"
check_eq "one image name alone exits 2" 2 "$(rc_of oneimage)"
DOCKER_HOST=unix:///nonexistent/docker.sock run nodocker
check_eq "no Docker engine exits 1" 1 "$(rc_of nodocker)"
check "no Docker engine is one line" one_error_line nodocker
# A bad DOCKER_HOST: one line that names it and the real cause.
DOCKER_HOST=tcp://127.0.0.1:1 run refused
check_eq "DOCKER_HOST=tcp://127.0.0.1:1 exits 1" 1 "$(rc_of refused)"
check_eq "DOCKER_HOST=tcp://127.0.0.1:1: one line, the host and the cause" \
  "$SCRIPT_PREFIX the Docker engine at DOCKER_HOST=tcp://127.0.0.1:1 does not answer: Connection refused" \
  "$(cat "$tmp/refused.err")"
DOCKER_HOST=bogus://x run bogus
check_eq "DOCKER_HOST=bogus://x exits 1" 1 "$(rc_of bogus)"
check_eq "DOCKER_HOST=bogus://x: one line, the host and the cause" \
  "$SCRIPT_PREFIX DOCKER_HOST=bogus://x is not an address of a Docker engine (Invalid bind address protocol: bogus://x)" \
  "$(cat "$tmp/bogus.err")"
run badref 'Bad::Ref!!' "$B"
check_eq "an invalid reference is bad usage: exit 2" 2 "$(rc_of badref)"
check_eq "an invalid reference is one line, without 'no such image'" \
  "compare-sizes.sh: 'Bad::Ref!!' is not an image reference ([HOST/]NAME[:TAG][@DIGEST], lowercase, or an image ID) (see compare-sizes.sh --help)" \
  "$(cat "$tmp/badref.err")"

# make test-compare-sizes starts an engine first: none answering is a failure,
# not a reason to measure nothing.
if ! docker_ready; then
  check_fail "a Docker engine answers, for the measurements" "none does (scripts/setup.sh images starts one)"
  checks_summary compare-sizes
  exit 1
fi

# ----------------------------------------------------------- the JSON
# The first run builds what is missing and fills the cache: minutes on a
# fresh machine.
run json --json --svg "$tmp/sizes.svg"
check_eq "--json exits 0" 0 "$(rc_of json)"
J="$tmp/json.out"
check "--json prints only JSON on stdout" jq -e . "$J"
"$SCRIPT" --json-schema >"$tmp/schema.json"
check "--json's output is valid against --json-schema's schema" /usr/bin/python3 -c \
  'import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' \
  "$J" "$tmp/schema.json"
for i in 0 1; do
  name="$(jq -r ".images[$i].name" "$J")"
  read -r size layers < <(docker image inspect -f '{{.Size}} {{len .RootFS.Layers}}' "$name")
  check_eq "$name: size_bytes is the engine's .Size" "$size" "$(jq ".images[$i].size_bytes" "$J")"
  check_eq "$name: listed_bytes is what docker images shows (on this store, its .Size)" "$size" "$(jq ".images[$i].listed_bytes" "$J")"
  check_eq "$name: one entry per layer of the engine" "$layers" "$(jq ".images[$i].layers | length" "$J")"
  check "$name: compressed is less than uncompressed" \
    jq -e ".images[$i] | .compressed_bytes > 0 and .compressed_bytes < .size_bytes" "$J"
  check "$name: compressed_bytes is the sum of its layers'" \
    jq -e ".images[$i] | .compressed_bytes == ([.layers[].compressed_bytes] | add)" "$J"
  check "$name: the layers' sizes add up to size_bytes" \
    jq -e ".images[$i] | .size_bytes == ([.layers[].size_bytes] | add)" "$J"
  check "$name: every layer names its instruction" \
    jq -e "[.images[$i].layers[].instruction | length > 0] | all" "$J"
done
store="$(docker info -f '{{.Driver}}')"
docker info -f '{{.DriverStatus}}' | grep -q 'io.containerd.snapshotter' && store=containerd
check_eq "the JSON names the engine's image store" "$store" "$(jq -r .store "$J")"
check_eq "the names are the default images" "$A $B" "$(jq -r '[.images[].name] | join(" ")' "$J")"
check_eq "the versions are the tags" "v0.1 v0.2" "$(jq -r '[.images[].version] | join(" ")' "$J")"
check "ratio is v0.1's size over v0.2's" \
  jq -e '((.ratio - (.images[0].size_bytes / .images[1].size_bytes)) | fabs) < 1e-9' "$J"
check "compressed_ratio is the quotient of the compressed sizes" \
  jq -e '((.compressed_ratio - (.images[0].compressed_bytes / .images[1].compressed_bytes)) | fabs) < 1e-9' "$J"
check "saved_bytes is the difference" jq -e '.saved_bytes == .images[0].size_bytes - .images[1].size_bytes' "$J"
check "v0.2 is smaller than v0.1, both ways" jq -e '.ratio > 1 and .compressed_ratio > 1' "$J"
check "the diff names the compiler (/usr/lib/gcc or /usr/libexec/gcc)" \
  jq -e '[.diff[].path] | any(. == "/usr/lib/gcc" or . == "/usr/libexec/gcc")' "$J"
check "the diff names the headers (/usr/include)" jq -e '[.diff[].path] | any(startswith("/usr/include"))' "$J"
check "the diff is sorted, largest first" jq -e '[.diff[].bytes] | . == (sort | reverse)' "$J"
check "the floor holds the binary and its C library" \
  jq -e '[.floor[].path] | any(. == "/usr/local/bin/askeladden") and any(test("/libc\\.so"))' "$J"
check "the floor is the sum of its files and below v0.2" \
  jq -e '.floor_bytes == ([.floor[].bytes] | add) and .floor_bytes < .images[1].size_bytes' "$J"
check "--json progress lines go to stderr" grep -q '^==> 1/4' "$tmp/json.err"
"$SCRIPT" --help >"$tmp/help.out"
missing_fields="$(jq -r 'keys[]' "$J" | while read -r key; do grep -q "^  $key  " "$tmp/help.out" || echo "$key"; done)"
check_eq "--help lists every top-level field of the JSON" "" "$missing_fields"

check "--svg writes an SVG" bash -c "head -n 1 '$tmp/sizes.svg' | grep -q '^<svg ' && tail -n 1 '$tmp/sizes.svg' | grep -q '^</svg>$'"
check_eq "--svg draws five bars" 5 "$(grep -c '<rect x=' "$tmp/sizes.svg")"
check "--svg is well-formed XML (xmllint)" xmllint --noout "$tmp/sizes.svg"
check "--svg draws 1 MB = 10⁶ bytes, not 10^6" bash -c "grep -qF '10⁶ bytes' '$tmp/sizes.svg' && ! grep -qF '^' '$tmp/sizes.svg'"
# The PNG's header holds its width and height, 4 bytes each, from byte 16.
read -r svg_w svg_h < <(sed -n '1s/.* width="\([0-9]*\)" height="\([0-9]*\)".*/\1 \2/p' "$tmp/sizes.svg")
check_eq "--svg renders to PNG at its canvas's size, ${svg_w:-?} x ${svg_h:-?} (rsvg-convert)" \
  "$(printf '%08x%08x' "${svg_w:-0}" "${svg_h:-0}")" \
  "$(rsvg-convert "$tmp/sizes.svg" -o "$tmp/sizes.png" && od -An -tx1 -j16 -N8 "$tmp/sizes.png" | tr -d ' \n')"

# ----------------------------------------------------------- reruns
# A cache hit is what the rerun proves, not a time (speed targets live in the
# benchmark): it reads no docker save stream and compresses nothing.
run text
check_eq "the report exits 0" 0 "$(rc_of text)"
check "a rerun with unchanged images answers from the cache (no docker save read)" \
  bash -c "! grep -qE 'measured in|docker save' '$tmp/text.err'"
check "the rerun compressed nothing" bash -c "! grep -q 'compressing' '$tmp/text.err'"
T="$tmp/text.out"
check "the report says which sizes are compressed" grep -q 'compressed: the layers gzipped' "$T"
check "the report shows the engine's exact bytes" grep -q "$(jq .images[0].size_bytes "$J")" "$T"
for section in 'Layers of askeladden:v0.1' 'Layers of askeladden:v0.2' 'Where the bytes went' 'The floor'; do
  check "the report has '$section'" grep -q "^$section" "$T"
done
# A long instruction is shortened in its hashes and its middle, never its
# end: a COPY keeps its destination.
lost_ends="$(jq -r '.images[].layers[].instruction | select(test(" in ")) | " in " + (split(" in ") | last)' "$J" |
  while IFS= read -r end; do grep -qF -- "$end" "$T" || echo "$end"; done)"
check_eq "every COPY keeps its destination" "" "$lost_ends"
check "the COPY of v0.2's binary is shown with its destination" grep -q ' COPY .* in /usr/local/bin/askeladden *$' "$T"
check "metadata_kinds has one kind per instruction that made no layer" \
  jq -e '[.images[] | (.metadata_kinds | length) == .metadata_only] | all' "$J"
check_eq "the report lists the real kinds of the instructions without a layer" \
  "$(jq -r '.images[] | select(.metadata_only > 0) | .metadata_kinds | unique | join(" ")' "$J")" \
  "$(sed -n 's/^  [0-9]* more instructions\{0,1\} (\(.*\)) only changes\{0,1\} the config: no layer$/\1/p' "$T" |
     while IFS= read -r kinds; do tr -d ',' <<<"$kinds" | tr ' ' '\n' | grep -v '^[0-9]*$' | LC_ALL=C sort -u | paste -sd ' '; done)"
check "the report has no colour when not on a terminal" bash -c "! grep -q $'\\e' '$T' '$tmp/text.err'"

# Colour is decided per stream (common/lib.sh's colour_on): script(1) gives
# the run a terminal, and one stream is sent to a file.
on_terminal() { TERM=xterm script -qec "$1" /dev/null >"$tmp/$2.tty" </dev/null || true; }
on_terminal "'$SCRIPT' --no-build 2>'$tmp/tty-err.err'" tty-err
check "stdout on a terminal: the report's headings are bold" grep -q $'^\e\\[1mSizes\e\\[0m' "$tmp/tty-err.tty"
check "stdout on a terminal, stderr to a file: no colour in the file" bash -c "! grep -q $'\\e' '$tmp/tty-err.err'"
on_terminal "'$SCRIPT' --no-build >'$tmp/tty-out.out'" tty-out
check "stderr on a terminal: its progress lines are coloured" grep -q $'^\e\\[1m==>' "$tmp/tty-out.tty"
check "stderr on a terminal, stdout to a file: no colour in the report" bash -c "! grep -q $'\\e' '$tmp/tty-out.out'"
NO_COLOR=1 on_terminal "'$SCRIPT' --no-build" nocolour
check "NO_COLOR: no colour on a terminal" bash -c "grep -q '^Sizes' '$tmp/nocolour.tty' && ! grep -q $'\\e' '$tmp/nocolour.tty'"

# ----------------------------------------------------------- --markdown, --top
# human JSON_PATH: the JSON's figure as the reports print it.
human() { human_bytes "$(jq "$1" "$J")"; }
run markdown --markdown
M="$tmp/markdown.out"
check "--markdown prints the sizes table" grep -q '^| image | uncompressed | compressed | layers |$' "$M"
check "--markdown: a row per image, with its sizes" grep -qxF \
  "| \`$B\` | $(human '.images[1].size_bytes') | $(human '.images[1].compressed_bytes') | $(jq '.images[1].layers | length' "$J") |" "$M"
check "--markdown: the floor row" grep -qxF "| floor: binary + its libraries | $(human .floor_bytes) | | |" "$M"
# Backquotes in single quotes are Markdown code spans, not expansions.
# shellcheck disable=SC2016
check_eq "--markdown: the diff table has the JSON's paths, in order" \
  "$(jq -r '.diff[] | "| `\(.path)` |"' "$J")" "$(sed -n "/^| in \`$A\`, not in/,/^\$/p" "$M" | grep -o '^| `/[^`]*` |')"
check "--markdown: the largest path with its size" grep -qxF \
  "| \`$(jq -r '.diff[0].path' "$J")\` | $(human '.diff[0].bytes') |" "$M"
check "--markdown: a package table, with versions" grep -qxF "| Debian package in \`$A\`, not in \`$B\` | version | Installed-Size |" "$M"
# shellcheck disable=SC2016
check_eq "--markdown: the package table has the JSON's packages, in order" \
  "$(jq -r '.diff_packages[] | "| `\(.package)` | \(.version) |"' "$J")" \
  "$(sed -n "/^| Debian package in \`$A\`/,/^\$/p" "$M" | grep -o '^| `[^`]*` | [^|]* |')"
check "--markdown: a layer table per image" test "$(grep -c '^| layer of `' "$M")" -eq 2
check "--markdown: the diff's total" grep -qxF "| all of them | $(human .diff_total_bytes) |" "$M"
# The other direction: v0.2 adds its binary where v0.1 had none, and the
# paths both have, changed, come with their net total.
check "B adds: the JSON lists /usr/local/bin, v0.2's binary" jq -e '[.added[].path] | index("/usr/local/bin")' "$J"
check "B adds: its total covers the binary" jq -e '.added_total_bytes >= ([.added[] | select(.path == "/usr/local/bin") | .bytes] | add)' "$J"
check "the text report shows what B adds, with a total" grep -qxF \
  "  $(printf '%12s' "$(human .added_total_bytes)")  all $B paths that $A does not have" "$T"
check "the text report shows what B changes" grep -q "^What $B changes: paths in both" "$T"
check "every package listed has a version" jq -e '[.diff_packages[], .added_packages[] | .version | length > 0] | all' "$J"
run top --top 2
check_eq "--top 2: two paths before the total" 2 \
  "$(sed -n '/^Where the bytes went/,/^  .* all .* paths that /p' "$tmp/top.out" | grep -c '^  .*  /')"
check_eq "--top 2: two packages" 2 "$(sed -n '/^The same by package/,/^$/p' "$tmp/top.out" | grep -c '^  ')"
run topjson --json --top 3
check_eq "--top 3: three paths and three packages in the JSON" "3 3" \
  "$(jq -r '"\(.diff | length) \(.diff_packages | length)"' "$tmp/topjson.out")"
check_eq "--top 3: the first three of the default list" \
  "$(jq -c '.diff[:3]' "$J")" "$(jq -c '.diff' "$tmp/topjson.out")"

# ----------------------------------------------------------- rebuilds
# A source newer than the image: the script has it rebuilt (make images),
# and the next run takes the image as up to date.
touch v0.2/Dockerfile
run rebuild --json
check_eq "an image older than its sources: exit 0" 0 "$(rc_of rebuild)"
check "an image older than its sources is rebuilt" \
  grep -q "^    $B: older than its sources, building it$" "$tmp/rebuild.err"
check "the rebuild ran make images" grep -q '^    make images: done in [0-9]* s$' "$tmp/rebuild.err"
run rebuilt --json
check "after the rebuild the image is up to date" bash -c "! grep -q 'building it' '$tmp/rebuilt.err'"
check_eq "after the rebuild the report is of the image there now" \
  "$(docker image inspect -f '{{.Id}}' "$B")" "$(jq -r '.images[1].id' "$tmp/rebuilt.out")"
touch v0.2/Dockerfile
run stale --no-build
check "--no-build measures an outdated image as it is, with a warning" \
  grep -q "warning: $B is older than its sources; measuring it as it is (--no-build)" "$tmp/stale.err"

# ----------------------------------------------------------- budgets
run met --max-size "$A=2GB" --max-size "$B=100MB"
check_eq "budgets that hold exit 0" 0 "$(rc_of met)"
run blown --max-size "$A=2GB" --max-size "$B=1MiB"
check_eq "a blown budget exits 1" 1 "$(rc_of blown)"
check "a blown budget names the image" grep -q "over budget: $B is" "$tmp/blown.err"
check "a blown budget does not blame the other image" bash -c "! grep -q 'over budget: $A' '$tmp/blown.err'"
run blownjson --json --max-size "$A=2GB" --max-size "$B=1MiB"
check_eq "--json, a blown budget: exit 1" 1 "$(rc_of blownjson)"
check_eq "--json: budgets[] says which budget broke, its limit and the size" \
  "$A 2000000000 true|$B 1048576 false|$(jq .images[1].size_bytes "$J")" \
  "$(jq -r '[(.budgets[] | "\(.image) \(.limit_bytes) \(.held)"), (.budgets[1].size_bytes | tostring)] | join("|")' "$tmp/blownjson.out")"
b_size="$(jq '.images[1].size_bytes' "$J")"
run exact --max-size "$B=$b_size"
check_eq "a budget of exactly the size holds" 0 "$(rc_of exact)"
run byone --max-size "$B=$((b_size - 1))"
check_eq "a budget one byte under the size is blown" 1 "$(rc_of byone)"

# ----------------------------------------------------------- any two images
run missing --no-build "$B" no-such-image:none
check_eq "an image that cannot be built exits 1" 1 "$(rc_of missing)"
check "an image that cannot be built is one line" one_error_line missing
base="$(awk '$1 == "FROM" { b = $2 } END { print b }' v0.2/Dockerfile)"
run byname --json --no-build "$B" "$base"
check_eq "two images by name ($B, $base) exit 0" 0 "$(rc_of byname)"
check_eq "by name: $base's size is the engine's" \
  "$(docker image inspect -f '{{.Size}}' "$base")" "$(jq '.images[1].size_bytes' "$tmp/byname.out")"

# A smaller IMAGE_A: told from the larger image, with no negative size.
run smaller --no-build "$base" "$B"
check_eq "a smaller IMAGE_A: exit 0" 0 "$(rc_of smaller)"
check "a smaller IMAGE_A: the larger image is named first, and by how much" bash -c \
  "grep -q '^  $B is [0-9.]*x the size of $base uncompressed' '$tmp/smaller.out' &&
   grep -q '^  $B is larger by [0-9.]* [kMG]\{0,1\}B uncompressed' '$tmp/smaller.out' &&
   ! grep -q -e ' 0\.[0-9]x ' -e 'saved: -' '$tmp/smaller.out'"

# One image by tag and by ID: said in one line, nothing measured.
b_id="$(docker image inspect -f '{{.Id}}' "$B")"
run same --no-build "$B" "$b_id"
check_eq "the same image by tag and by ID: exit 0" 0 "$(rc_of same)"
check_eq "the same image by tag and by ID: one line that says so" \
  "$B and $b_id are the same image (${b_id:7:12}, $(human_bytes "$(docker image inspect -f '{{.Size}}' "$B")")): nothing to compare" \
  "$(cat "$tmp/same.out")"

# An image with no shell and no libraries: measured all the same; its floor
# cannot be listed, which is a warning, not an error.
tiny=askeladden-test:no-shell
printf 'not a program\n' >"$tmp/f"
if tar -C "$tmp" -c f | docker import -c 'CMD ["/f"]' - "$tiny" >/dev/null; then
  run tiny --json --no-build "$B" "$tiny"
  check_eq "an image without a shell is measured (exit 0)" 0 "$(rc_of tiny)"
  check "without a shell, the floor is null and a warning says why" \
    bash -c "jq -e '.floor_bytes == null' '$tmp/tiny.out' && grep -q 'warning: no floor' '$tmp/tiny.err'"
  docker rmi "$tiny" >/dev/null
else
  check_fail "import a one-file image" "docker import failed"
fi

# ------------------------------------------- images with no shell, and waste
# Built here, not pulled: a static binary alone (as FROM scratch), a
# distroless-like image made of files (a program, its libraries, dpkg's
# status.d), and one that writes 10 MB in a layer and deletes it in the next.
# Nothing runs inside them: the floor and the packages come from their layers.
import_image() { # NAME DIR ENTRYPOINT
  tar -C "$2" -c . | docker import -c "ENTRYPOINT [\"$3\"]" - "$1" >/dev/null
}
scratch=askeladden-test:scratch distroless=askeladden-test:distroless wasteful=askeladden-test:wasteful
mkdir -p "$tmp/scratch" "$tmp/distroless/usr/bin" "$tmp/distroless/usr/lib/x86_64-linux-gnu" \
  "$tmp/distroless/var/lib/dpkg/status.d" "$tmp/wasteful"
printf 'int main(void) { return 0; }\n' >"$tmp/hello.c"
loader="$(readlink -f /lib64/ld-linux-x86-64.so.2)" libc="$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)"
cp /usr/bin/dash "$tmp/distroless/usr/bin/dash"
cp "$libc" "$tmp/distroless/usr/lib/x86_64-linux-gnu/libc.so.6"
cp "$loader" "$tmp/distroless/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
ln -s usr/lib "$tmp/distroless/lib" && ln -s usr/lib/x86_64-linux-gnu "$tmp/distroless/lib64"
printf 'Package: dash\nVersion: 0.5.12-2\nInstalled-Size: 204\n' >"$tmp/distroless/var/lib/dpkg/status.d/dash"
printf 'FROM %s\nRUN head -c 10000000 /dev/zero >/big\nRUN rm /big\n' "$base" >"$tmp/wasteful/Dockerfile"
if cc -static -o "$tmp/scratch/hello" "$tmp/hello.c" && import_image "$scratch" "$tmp/scratch" /hello &&
  import_image "$distroless" "$tmp/distroless" /usr/bin/dash &&
  docker build -q -t "$wasteful" "$tmp/wasteful" >/dev/null 2>&1; then
  run noshell --json --no-build "$distroless" "$scratch"
  check_eq "a distroless-like and a scratch image are measured (exit 0)" 0 "$(rc_of noshell)"
  check_eq "a static binary alone is its own floor" '["/hello"]' "$(jq -c '[.floor[].path]' "$tmp/noshell.out")"
  check_eq "distroless's packages come from status.d, with their versions" \
    '[{"package":"dash","version":"0.5.12-2","bytes":208896}]' \
    "$(jq -c '.diff_packages' "$tmp/noshell.out")"
  run noshell2 --json --no-build "$scratch" "$distroless"
  check_eq "the distroless-like floor: the program, its loader and libc, found through /lib64" \
    '["/usr/bin/dash","/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2","/usr/lib/x86_64-linux-gnu/libc.so.6"]' \
    "$(jq -c '[.floor[].path]' "$tmp/noshell2.out")"
  check_eq "settings name the entrypoints' form" 'exec form: ["/usr/bin/dash"]' \
    "$(jq -r '.settings[] | select(.name == "entrypoint") | .b' "$tmp/noshell2.out")"
  run waste --json --no-build "$wasteful" "$base"
  check_eq "10 MB written, then deleted: 10 MB wasted" 10000000 "$(jq '.wasted[0].wasted_bytes' "$tmp/waste.out")"
  check_eq "the offender is /big, deleted" "/big deleted" "$(jq -r '.wasted[0].offenders[0] | "\(.path) \(.how)"' "$tmp/waste.out")"
  check "its efficiency is below 1, the base's is 1" jq -e '.wasted[0].efficiency < 1 and .wasted[1].efficiency == 1' "$tmp/waste.out"
  run wastebudget --json --no-build --max-wasted "$wasteful=10MB" "$wasteful" "$base"
  check_eq "--max-wasted of exactly its 10 MB holds (exit 0)" 0 "$(rc_of wastebudget)"
  run wasteover --json --no-build --max-wasted "$wasteful=9999999" "$wasteful" "$base"
  check_eq "--max-wasted one byte under its waste is blown (exit 1)" 1 "$(rc_of wasteover)"
  check_eq "the JSON says which budget broke" "--max-wasted 10000000 false" \
    "$(jq -r '.budgets[0] | "\(.option) \(.size_bytes) \(.held)"' "$tmp/wasteover.out")"
  run waste_text --no-build "$wasteful" "$base"
  check "the text report names the wasted bytes" grep -q "^Wasted bytes" "$tmp/waste_text.out"
else
  check_fail "build the no-shell and wasteful test images" "cc -static, docker import or docker build failed"
fi
docker rmi "$scratch" "$distroless" "$wasteful" >/dev/null 2>&1 || true

# ------------------------------------------- exact sizes from a registry
# v0.2 pushed to a registry of the test's own (Debian's docker-registry on a
# side port, stopped at the end): --registry reads its layers' sizes from
# the manifest; v0.1, never pushed there, keeps gzip's estimate and says so.
reg_port=32099 reg_state="$tmp/registry-state"
registry() { ASKELADDEN_STATE="$reg_state" scripts/registry.sh --port "$reg_port" "$@"; }
pushed="localhost:$reg_port/askeladden-sizes:test"
if registry start >/dev/null && docker tag "$B" "$pushed" && docker push -q "$pushed" >/dev/null; then
  run exact --json --no-build --registry "localhost:$reg_port"
  check_eq "--registry: exit 0" 0 "$(rc_of exact)"
  check_eq "--registry: v0.2 is labelled exact, v0.1 gzip" "gzip|registry localhost:$reg_port" \
    "$(jq -r '[.images[].compressed_by] | join("|")' "$tmp/exact.out")"
  manifest="$(curl -fsS -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://localhost:$reg_port/v2/askeladden-sizes/manifests/test")"
  check_eq "--registry: v0.2's layers are the manifest's sizes" "$(jq -c '[.layers[].size]' <<<"$manifest")" \
    "$(jq -c '[.images[1].layers[].compressed_bytes]' "$tmp/exact.out")"
  check_eq "--registry: v0.1 keeps the estimate of the run without it" \
    "$(jq .images[0].compressed_bytes "$J")" "$(jq .images[0].compressed_bytes "$tmp/exact.out")"
  check "--registry: a warning names the image not pushed there" \
    grep -qx "compare-sizes.sh: warning: $A was not pushed to localhost:$reg_port: its compressed size is gzip's estimate" "$tmp/exact.err"
  run exact_text --no-build --registry "localhost:$reg_port"
  check "--registry: the text report labels each compressed size" \
    grep -qE "^  $B +[0-9.]+ MB +[0-9]+ +[0-9.]+ MB +[0-9]+  registry localhost:$reg_port\$" "$tmp/exact_text.out"
else
  check_fail "start a registry on port $reg_port and push v0.2 to it" "registry.sh start, docker tag or docker push failed"
fi
docker rmi "$pushed" >/dev/null 2>&1 || true
registry stop >/dev/null 2>&1 || true
run noregistry --json --no-build --registry "127.0.0.1:1"
check_eq "--registry where nothing answers: exit 1" 1 "$(rc_of noregistry)"
check "--registry where nothing answers: one error line" one_error_line noregistry
check "--registry where nothing answers: the line names the registry" \
  grep -q 'error: the registry at http://127.0.0.1:1 does not answer' "$tmp/noregistry.err"

# ------------------------------------------- the floor, built and run
# --run-floor builds v0.2's floor as an image (FROM scratch: the binary, its
# loader and libc, the links to them) and runs it as a pod would: read-only,
# not root, no capabilities. A floor whose program does not serve fails it.
floor_image=askeladden-floor:v0.2
run floorrun --json --no-build --run-floor
check_eq "--run-floor: v0.2's floor image serves (exit 0)" 0 "$(rc_of floorrun)"
check_eq "--run-floor: $floor_image answered GET / with 200, run as v0.2's user" \
  "$floor_image 200 true 10001:10001" \
  "$(jq -r '.floor_image | "\(.image) \(.status) \(.answered) \(.user)"' "$tmp/floorrun.out")"
check "--run-floor: the floor image is the floor's size (its links add bytes, under 1 kB)" \
  jq -e '.floor_image.size_bytes >= .floor_bytes and .floor_image.size_bytes < .floor_bytes + 1000' "$tmp/floorrun.out"
check_eq "--run-floor: the engine measures the same size" "$(jq .floor_image.size_bytes "$tmp/floorrun.out")" \
  "$(docker image inspect -f '{{.Size}}' "$floor_image")"
check_eq "--run-floor: one layer, no shell in it" "1 no shell" \
  "$(docker image inspect -f '{{len .RootFS.Layers}}' "$floor_image") $(docker run --rm --entrypoint /bin/sh \
     "$floor_image" -c true >/dev/null 2>&1 && echo shell || echo no shell)"
check_eq "--run-floor: no container of it is left" "" "$(docker ps -aq --filter "ancestor=$floor_image")"
docker rmi "$floor_image" >/dev/null 2>&1 || true
exits=askeladden-test:exits
if tar -C "$tmp/scratch" -c . | docker import -c 'ENTRYPOINT ["/hello"]' -c 'EXPOSE 8090' - "$exits" >/dev/null; then
  run floorfails --json --no-build --run-floor "$base" "$exits"
  check_eq "--run-floor: a floor whose program exits at once fails (exit 1)" 1 "$(rc_of floorfails)"
  check_eq "--run-floor: one line says why" \
    "compare-sizes.sh: error: the floor image askeladden-test-floor:exits does not serve: it exited with status 0: (it printed nothing)" \
    "$(grep error: "$tmp/floorfails.err")"
  check_eq "--run-floor: the JSON says so too" "false" "$(jq .floor_image.answered "$tmp/floorfails.out")"
else
  check_fail "import an image that exits at once" "docker import failed"
fi
docker rmi "$exits" askeladden-test-floor:exits >/dev/null 2>&1 || true

checks_summary compare-sizes
