"""The floor: an image's binary (its entrypoint, or its command), its ELF
interpreter and every shared library it needs, found in the image's own
layers as the dynamic loader would find them. That is the smallest image
that could run it. Nothing runs inside the image, so a scratch, distroless
or static image has a floor too: a static binary is its own."""
from collections.abc import Mapping
from typing import Any

from . import cache as cache_mod
from . import rootfs
from .cache import Cache
from .engine import EngineAPI
from .report import PathBytes

FloorFile = PathBytes


class NoFloor(Exception):
    """Why the floor could not be measured (a warning, not an error)."""


def closure(layers: list[dict[str, Any]], binary: str) -> tuple[rootfs.Tree, list[str]]:
    """The image's tree, and the floor's paths in it: the files, then the
    links passed on the way to them (each a real location: no link above it)."""
    if not binary:
        raise NoFloor("it has neither an entrypoint nor a command")
    tree, texts = rootfs.tree_of(layers)
    program = rootfs.locate(tree, binary)
    paths, missing = rootfs.closure(tree, program, rootfs.ld_so_conf_dirs(texts))
    if not paths:
        raise NoFloor(f"{binary} is not in the image")
    if tree.nodes[paths[0]].elf is None:
        raise NoFloor(f"{program} is neither an ELF program nor a #! script")
    if missing:
        raise NoFloor(f"{program} needs {', '.join(missing)}, which the image does not have")
    return tree, paths


def measure(layers: list[dict[str, Any]], binary: str) -> list[FloorFile]:
    """The floor's files, each once by its real path, smallest path first."""
    tree, paths = closure(layers, binary)
    return sorted(({"path": p, "bytes": tree.nodes[p].size} for p in paths
                   if tree.nodes[p].link is None), key=lambda f: str(f["path"]))


def floor(engine: EngineAPI, cache: Cache, image: Mapping[str, Any]) -> list[FloorFile]:
    """The floor's files, cached by image ID once found."""
    path = cache.image_path(image["id"], "floor-elf")
    files: list[FloorFile] | None = cache_mod.load(path)
    if files is None:
        found = engine.image(image["id"])
        if found is None:
            raise NoFloor(f"image {image['id']} is gone (removed while being measured?)")
        files = measure([cache.layer_files(layer["digest"]) for layer in image["layers"]], found.binary)
        cache_mod.store(path, files)
    return files
