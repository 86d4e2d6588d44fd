"""The floor: an image's binary (its entrypoint, or its command) and every
shared library ldd says it loads, measured inside a container of the image.
That is the smallest image that could run it."""
import re

from . import cache as cache_mod
from .cache import Cache
from .engine import EngineAPI
from .report import PathBytes

FloorFile = PathBytes

# Runs in the image, with the binary as $1: "SIZE PATH" per file, the paths
# resolved, each once.
LIST_SCRIPT = r'''b=$(command -v "$1") || exit 3
    { echo "$b"; ldd "$b" 2>/dev/null | awk "/=> \// { print \$3; next } \$1 ~ /^\// { print \$1 }"; } |
    while read -r f; do r=$(readlink -f "$f") && echo "$(stat -L -c %s "$f") $r"; done | sort -u -k 2'''


class NoFloor(Exception):
    """Why the floor could not be measured (a warning, not an error)."""


def parse(text: str) -> list[FloorFile]:
    """[{path, bytes}] from the script's "SIZE PATH" lines."""
    files: list[FloorFile] = []
    for line in text.splitlines():
        m = re.fullmatch(r"([0-9]+) (.*)", line)
        if m:
            files.append({"path": m.group(2), "bytes": int(m.group(1))})
    return files


def measure(engine: EngineAPI, image_id: str, binary: str) -> list[FloorFile]:
    """The floor's files, listed in a container of the image."""
    if not binary:
        raise NoFloor("it has neither an entrypoint nor a command")
    status, out, err = engine.run(image_id, "/bin/sh", ["-c", LIST_SCRIPT, "sh", binary], user="0")
    if status != 0:
        last = (err.strip().splitlines() or [f"exit status {status}"])[-1]
        raise NoFloor(f"listing {binary} and its libraries in a container failed: {last}")
    return parse(out.decode(errors="replace"))


def floor(engine: EngineAPI, cache: Cache, image_id: str) -> list[FloorFile]:
    """The floor's files, cached by image ID once listed."""
    path = cache.image_path(image_id, "floor")
    files: list[FloorFile] | None = cache_mod.load(path)
    if files is None:
        image = engine.image(image_id)
        if image is None:
            raise NoFloor(f"image {image_id} is gone (removed while being measured?)")
        files = measure(engine, image_id, image.binary)
        cache_mod.store(path, files)
    return files
