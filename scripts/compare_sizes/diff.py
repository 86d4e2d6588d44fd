"""What IMAGE_B removes, adds and changes against IMAGE_A: paths summed by
directory, and Debian packages with their versions (dpkg's own estimate of
their sizes, from its records in the layers)."""
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from . import cache as cache_mod
from . import rootfs
from .cache import Cache
from .packages import Package, installed
from .report import Grouped, ImageRecord, PackageBytes, PackageChange, PackageChanges, PathChanges


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


def grouped(sizes: Iterable[tuple[str, int]]) -> Grouped:
    """(total, [(directory, bytes)]) of (path, bytes) pairs, the largest
    first (by magnitude: a change may be negative); directories whose bytes
    sum to 0 are left out of the list."""
    sums: dict[str, int] = {}
    total = 0
    for path, size in sizes:
        key = group_of(path)
        sums[key] = sums.get(key, 0) + size
        total += size
    return total, sorted(((k, n) for k, n in sums.items() if n), key=lambda kv: (-abs(kv[1]), kv[0]))


def path_changes(files_a: Mapping[str, int], files_b: Mapping[str, int]) -> PathChanges:
    """What B removes, adds and changes (bytes: B's minus A's) of A's files."""
    return PathChanges(
        removed=grouped((p, n) for p, n in files_a.items() if p not in files_b),
        added=grouped((p, n) for p, n in files_b.items() if p not in files_a),
        changed=grouped((p, files_b[p] - n) for p, n in files_a.items()
                        if p in files_b and files_b[p] != n))


def _largest(found: list[PackageBytes]) -> list[PackageBytes]:
    return sorted(found, key=lambda p: (-p["bytes"], p["package"]))


def package_changes(packages_a: Mapping[str, Package],
                    packages_b: Mapping[str, Package]) -> PackageChanges:
    """The packages B removes and adds, the largest first, and those it has at
    another version, by name."""
    def only(x: Mapping[str, Package], y: Mapping[str, Package]) -> list[PackageBytes]:
        return _largest([{"package": name, "version": p["version"], "bytes": p["bytes"]}
                         for name, p in x.items() if name not in y])
    changed: list[PackageChange] = [
        {"package": name, "version_a": p["version"], "version_b": packages_b[name]["version"],
         "bytes_a": p["bytes"], "bytes_b": packages_b[name]["bytes"]}
        for name, p in sorted(packages_a.items())
        if name in packages_b and packages_b[name]["version"] != p["version"]]
    return PackageChanges(removed=only(packages_a, packages_b),
                          added=only(packages_b, packages_a), changed=changed)


def packages(cache: Cache, image: Mapping[str, Any]) -> dict[str, Package]:
    """{package: Package} installed in the image, from dpkg's records in its
    layers; cached by image ID."""
    path = cache.image_path(image["id"], "dpkg-versions")
    known: dict[str, Package] | None = cache_mod.load(path)
    if known is None:
        _, texts = rootfs.tree_of([cache.layer_files(layer["digest"]) for layer in image["layers"]])
        known = installed(texts)
        cache_mod.store(path, known)
    return known


def paths(cache: Cache, image_a: ImageRecord, image_b: ImageRecord) -> PathChanges:
    """path_changes of two images' final file systems, cached by their IDs."""
    path = cache.image_path(image_a["id"], image_b["id"], "changes")
    known: dict[str, Any] | None = cache_mod.load(path)
    if known is None:
        files = [final_files([cache.layer_files(layer["digest"]) for layer in image["layers"]])
                 for image in (image_a, image_b)]
        known = path_changes(*files)._asdict()
        cache_mod.store(path, known)
    return PathChanges(**{side: (total, [(p, n) for p, n in groups])
                          for side, (total, groups) in known.items()})
