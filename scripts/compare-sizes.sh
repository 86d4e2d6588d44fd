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
#     the largest Debian packages (dpkg's estimate, from its status file);
#   - the floor: IMAGE_B's binary (its entrypoint) plus the shared libraries it
#     loads (its ELF interpreter and DT_NEEDED closure, found in its layers
#     as the dynamic loader would: nothing runs inside the image, so scratch
#     and distroless images have one too), the smallest image that could run it.
#
# Sizes in bytes use decimal units, as docker shows them: 1 MB = 1000000 bytes.
# "Uncompressed" sizes are the engine's own; "compressed" sizes are gzip.
#
# How the compressed size is obtained: each layer, as `docker save` streams it,
# is gzipped at level 6 (docker push's default level) with zlib on every CPU
# (in blocks of 128 KiB, each primed with the 32 KiB before it, as pigz does)
# and the bytes are counted; the result is cached per layer digest under
# $ASKELADDEN_STATE/sizes, together with the layer's file list, so a rerun with
# unchanged images reads no layer at all and answers in a few seconds. The
# first run reads every layer once: about a minute for the 1.2 GB of
# askeladden:v0.1 on two busy cores, where `docker save` alone takes 25 s,
# piping it through gzip on one core 80 s and pushing it to a local registry
# 85 s. The registry would record what a push really sends: Go's gzip, about
# 2% more (431.3 MB against 422.3 MB for gcc:12's layer); the ratios barely
# move.
#
# Options:
#   --json               machine output on stdout, nothing else: images[] (version,
#                        name, id, size_bytes, compressed_bytes, layers[],
#                        metadata_only), ratio, compressed_ratio, saved_bytes,
#                        saved_compressed_bytes, diff[] (path, bytes),
#                        diff_packages[] (package, bytes), floor_bytes,
#                        floor[] (path, bytes)
#   --markdown           the report as Markdown tables, for the docs
#   --svg FILE           also write a bar chart of the sizes to FILE
#   --max-size IMAGE=SIZE
#                        fail (exit 1, naming the image) when IMAGE's uncompressed
#                        size is over SIZE: 80MB, 80M, 1.5GB, 75MiB or bytes;
#                        MB and M are 10^6 bytes, MiB is 2^20. Repeatable.
#   --top N              how many paths and packages the diff lists (default 12)
#   --no-build           measure the images as they are: do not build missing or
#                        outdated default images
#   -h, --help           show this help
#
# Exit status: 0 when the report is printed and every budget holds; 1 on an
# error or a blown budget; 2 on bad usage.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

# The program is scripts/compare_sizes/, one module per step of the report.
# Debian's interpreter, by its path: it is the one that sees python3-docker
# (a python3 earlier on PATH may be another build).
PYTHON=/usr/bin/python3
[[ -x "$PYTHON" ]] || die "$PYTHON is not installed (run: scripts/setup.sh images)"
# What every script decides with common/lib.sh is decided there for the
# program too: its --help prints the usage block above, and which of its
# streams may be coloured is common/lib.sh's answer for each.
colour=()
colour_on 1 && colour+=(stdout)
colour_on 2 && colour+=(stderr)
COMPARE_SIZES_COLOUR="${colour[*]}"
COMPARE_SIZES_USAGE="$(print_usage)"
export ASKELADDEN_ROOT ASKELADDEN_STATE SCRIPT_NAME COMPARE_SIZES_COLOUR COMPARE_SIZES_USAGE
export PYTHONPATH="$ASKELADDEN_ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}"
exec "$PYTHON" -m compare_sizes "$@"
