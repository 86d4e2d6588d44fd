"""What IMAGE_A has and IMAGE_B does not: paths summed by directory, and
Debian packages (dpkg's own estimate of their sizes, from its records in the
layers)."""
import re
from collections.abc import Mapping, Sequence
from typing import Any

from . import cache as cache_mod
from . import rootfs
from .cache import Cache
from .packages import installed
from .report import ImageRecord


def final_files(layers: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """The file system the layers make, oldest first: {path: size}
    (rootfs.tree_of applies the whiteouts and opaque directories)."""
    tree, _ = rootfs.tree_of(layers)
    return {path: node.size for path, node in tree.nodes.items()}


def group_of(path: str) -> str:
    """The directory a path is counted under: three levels deep (/usr/lib/gcc,
    /usr/share/doc), two for the headers (/usr/include); the multiarch
    library directory holds most of a fat image, so its own files are split
    into static (*.a) and shared (*.so*) libraries and its subdirectories
    are counted one level deeper."""
    parts = path.split("/")
    depth = 2 if parts[1:3] == ["usr", "include"] else 3
    multiarch = parts[1:3] == ["usr", "lib"] and len(parts) > 3 and "-linux-gnu" in parts[3]
    if multiarch:
        depth = 4
    key = "/" + "/".join(parts[1:min(len(parts) - 1, depth + 1)])
    if multiarch and len(parts) == 5:
        if path.endswith(".a"):
            key += "/*.a"
        elif re.search(r"\.so(\.|$)", path):
            key += "/*.so*"
    return key


def path_diff(files_a: Mapping[str, int],
              files_b: Mapping[str, int]) -> tuple[int, list[tuple[str, int]]]:
    """(total bytes, [(directory, bytes)] largest first) of the paths in A and not in B."""
    sums: dict[str, int] = {}
    total = 0
    for path, size in files_a.items():
        if path not in files_b:
            key = group_of(path)
            sums[key] = sums.get(key, 0) + size
            total += size
    return total, sorted(sums.items(), key=lambda kv: (-kv[1], kv[0]))


def package_diff(packages_a: Mapping[str, int], packages_b: Mapping[str, int],
                 top: int) -> list[tuple[str, int]]:
    """[(package, bytes)]: the TOP largest packages in A and not in B."""
    only_a = [(p, b) for p, b in packages_a.items() if p not in packages_b]
    return sorted(only_a, key=lambda pb: (-pb[1], pb[0]))[:top]


def packages(cache: Cache, image: Mapping[str, Any]) -> dict[str, int]:
    """{package: bytes} installed in the image, from dpkg's records in its
    layers; cached by image ID."""
    path = cache.image_path(image["id"], "dpkg")
    known: dict[str, int] | None = cache_mod.load(path)
    if known is None:
        _, texts = rootfs.tree_of([cache.layer_files(layer["digest"]) for layer in image["layers"]])
        known = {name: p["bytes"] for name, p in installed(texts).items()}
        cache_mod.store(path, known)
    return known


def paths(cache: Cache, image_a: ImageRecord,
          image_b: ImageRecord) -> tuple[int, list[tuple[str, int]]]:
    """path_diff of two images' final file systems, cached by their IDs."""
    path = cache.image_path(image_a["id"], image_b["id"], "diff")
    known: dict[str, Any] | None = cache_mod.load(path)
    if known is None:
        files = [final_files([cache.layer_files(layer["digest"]) for layer in image["layers"]])
                 for image in (image_a, image_b)]
        total, groups = path_diff(*files)
        known = {"total": total, "groups": groups}
        cache_mod.store(path, known)
    return known["total"], [(path, size) for path, size in known["groups"]]
