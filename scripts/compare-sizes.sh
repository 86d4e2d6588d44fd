#!/usr/bin/env bash
# Usage: scripts/compare-sizes.sh [options] [IMAGE_A IMAGE_B]
#
# Measure two images and show what the multi-stage build saved and where the
# bytes went (by default askeladden:v0.1 and askeladden:v0.2, built when
# missing or outdated). The program is scripts/compare_sizes/, one module per
# step of the report; it owns the command line whole: its --help (this
# script's) lists every option and every field of --json, and it decides
# which of its streams carry colour.
set -euo pipefail
# shellcheck source=common/lib.sh
source "$(dirname "$0")/../common/lib.sh"

# Debian's interpreter, by its path: it is the one that sees python3-docker
# (a python3 earlier on PATH may be another build).
PYTHON=/usr/bin/python3
[[ -x "$PYTHON" ]] || die "$PYTHON is not installed (run: scripts/setup.sh images)"
export ASKELADDEN_ROOT ASKELADDEN_STATE SCRIPT_NAME
export PYTHONPATH="$ASKELADDEN_ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}"
exec "$PYTHON" -m compare_sizes "$@"
