"""The report as one JSON value: what --json prints and what the renderers read.
Its shape is the TypedDicts below: mypy checks every record against them, and
FIELDS (what --help lists) must name every key of Report."""
from collections.abc import Sequence
from typing import NamedTuple, TypedDict

from .config_diff import Setting
from .wasted import Waste

UNITS = ("bytes; size_bytes is uncompressed (the engine's .Size on the classic store, "
         "the layers unpacked on the containerd store: the same figure), "
         "compressed_bytes is the layers compressed (see compressed_by), listed_bytes what "
         "docker images shows")


class Layer(TypedDict):
    digest: str                     # the layer's diff ID, sha256:...
    instruction: str                # the Dockerfile line that made it
    size_bytes: int | None          # unpacked, as docker history shows on the classic store
    compressed_bytes: int
    compressed_by: str              # "gzip", "content store" or "registry HOST"


class ImageRecord(TypedDict):
    version: str                    # the tag, or "latest"
    name: str                       # as named on the command line
    id: str
    size_bytes: int
    compressed_bytes: int
    estimated_compressed_bytes: int  # gzip's estimate, on every store (the same figure on both)
    listed_bytes: int | None        # what the engine's `docker images` shows (None: not listed)
    # On the containerd store, the content it holds for the image (manifest,
    # config, layer blobs: Docker 29's CONTENT SIZE); None on the classic store.
    content_bytes: int | None
    # Where the compressed sizes come from: "gzip" (an estimate), "content store"
    # (the containerd store's blobs: exact) or "registry HOST" (exact); two
    # joined by " and " when the layers differ.
    compressed_by: str
    layers: list[Layer]
    metadata_only: int              # instructions that made no layer
    metadata_kinds: list[str]       # what each of them was: ENV, CMD... in order


class PathBytes(TypedDict):
    path: str
    bytes: int


class PackageBytes(TypedDict):
    package: str
    version: str
    bytes: int


class PackageChange(TypedDict):
    """A package in both images, at another version."""
    package: str
    version_a: str
    version_b: str
    bytes_a: int
    bytes_b: int


Grouped = tuple[int, list[tuple[str, int]]]     # (total, [(directory, bytes)])


class PathChanges(NamedTuple):
    """What B does to A's files, summed by directory, largest first."""
    removed: Grouped        # paths in A and not in B
    added: Grouped          # paths in B and not in A
    changed: Grouped        # paths in both, of other sizes: B's bytes minus A's


class PackageChanges(NamedTuple):
    removed: list[PackageBytes]     # in A and not in B
    added: list[PackageBytes]       # in B and not in A
    changed: list[PackageChange]    # in both, at other versions


class FloorRun(TypedDict):
    """--run-floor: the floor built as an image and run."""
    image: str                      # its name: IMAGE_B's repository + "-floor"
    size_bytes: int                 # as the engine measures it
    user: str                       # who it ran as
    port: int | None                # the exposed port asked for / (None: none exposed)
    status: int | None              # the HTTP status of GET / (None: no answer)
    answered: bool                  # 2xx or 3xx; false: exit 1
    why: str                        # when it did not answer: what happened


class BudgetResult(TypedDict):
    image: str
    option: str                     # the option that set it: "--max-size"...
    limit_bytes: int
    limit_percent: float | None     # --max-growth N%: N (limit_bytes is N% of the baseline)
    baseline_bytes: int | None      # --max-growth: the image's size in the baseline
    size_bytes: int                 # what was measured: the size, or the growth
    held: bool                      # false: exit 1


class Report(TypedDict):
    units: str
    store: str                      # the engine's image store: "containerd", or "overlay2"...
    compressed_by: str
    images: list[ImageRecord]
    ratio: float | None
    compressed_ratio: float | None
    saved_bytes: int
    saved_compressed_bytes: int
    diff_total_bytes: int
    diff: list[PathBytes]
    added_total_bytes: int
    added: list[PathBytes]
    changed_total_bytes: int
    changed: list[PathBytes]
    diff_packages: list[PackageBytes]
    added_packages: list[PackageBytes]
    changed_packages: list[PackageChange]
    floor_bytes: int | None
    floor: list[PathBytes]
    floor_image: FloorRun | None
    wasted: list[Waste]
    settings: list[Setting]
    budgets: list[BudgetResult]


class SameImage(TypedDict):
    """What --json prints when both names are one image: nothing to compare."""
    same_image: bool                # true
    names: list[str]
    id: str
    size_bytes: int
    budgets: list[BudgetResult]


# What --help says of each top-level field of the JSON.
FIELDS = {
    "units": "what the numbers count",
    "store": "the engine's image store: containerd, or its storage driver (overlay2)",
    "compressed_by": "how gzip's estimates of the compressed sizes were made (each image's own "
                     "compressed_by says whether its size is one)",
    "images": "[A, B]: version, name, id, size_bytes, compressed_bytes, compressed_by "
              "(gzip: an estimate; content store or registry HOST: exact), "
              "estimated_compressed_bytes (gzip's, on every store), listed_bytes, "
              "content_bytes (the containerd store's content for it; null on the classic store), "
              "layers[] (digest, instruction, size_bytes, compressed_bytes, compressed_by), "
              "metadata_only, metadata_kinds[]",
    "ratio": "A's size over B's (null when B has no bytes)",
    "compressed_ratio": "the same, compressed",
    "saved_bytes": "A's size minus B's",
    "saved_compressed_bytes": "the same, compressed",
    "diff_total_bytes": "all of A's paths that B does not have",
    "diff": "[] the largest of them by directory: path, bytes",
    "added_total_bytes": "all of B's paths that A does not have",
    "added": "[] the largest of them by directory: path, bytes",
    "changed_total_bytes": "paths in both of another size: B's bytes minus A's",
    "changed": "[] the largest changes by directory: path, bytes (B's minus A's)",
    "diff_packages": "[] Debian packages in A and not in B: package, version, bytes",
    "added_packages": "[] Debian packages in B and not in A: package, version, bytes",
    "changed_packages": "[] packages in both at other versions: package, version_a, "
                        "version_b, bytes_a, bytes_b",
    "floor_bytes": "B's binary plus its libraries (null: not measured)",
    "floor": "[] their files: path, bytes",
    "floor_image": "--run-floor: the floor built as an image and run (null without it): "
                   "image, size_bytes, user, port, status, answered, why",
    "wasted": "[A, B]: wasted_bytes (what a later layer overwrote or deleted), efficiency "
              "(dive's score), offenders[] (path, bytes, how, layer)",
    "settings": "[] how a container of each runs: name, a, b, same",
    "budgets": "[] one per budget (--max-size, --max-compressed, --max-wasted, --max-growth): "
               "image, option, limit_bytes, limit_percent, baseline_bytes, size_bytes (what "
               "was measured: the size, or the growth over the baseline), held",
}
# When IMAGE_A and IMAGE_B are one image (by tag and by ID, say), the JSON is
# only this: nothing is measured.
SAME_IMAGE_FIELDS = {
    "same_image": "true: IMAGE_A and IMAGE_B are one image",
    "names": "the two names given",
    "id": "the image's ID",
    "size_bytes": "its size",
    "budgets": "as above",
}


def ratio(a: int, b: int) -> float | None:
    """A / B, or None when B is 0 (an image with no layers has no compressed bytes)."""
    return a / b if b else None


def _top(grouped: Grouped, top: int) -> list[PathBytes]:
    return [{"path": p, "bytes": n} for p, n in grouped[1][:top]]


def build(a: ImageRecord, b: ImageRecord, compressed_by: str, paths: PathChanges,
          packages: PackageChanges, floor_files: Sequence[PathBytes], top: int,
          wasted: Sequence[Waste] = (), settings: Sequence[Setting] = (),
          store: str = "overlay2") -> Report:
    """A and B are measure.image_record()s; PATHS and PACKAGES what B
    removes, adds and changes (diff.py), FLOOR_FILES [{path, bytes}]; the
    lists are cut at TOP. The budgets are added once checked."""
    return {
        "units": UNITS,
        "store": store,
        "compressed_by": compressed_by,
        "images": [a, b],
        "ratio": ratio(a["size_bytes"], b["size_bytes"]),
        "compressed_ratio": ratio(a["compressed_bytes"], b["compressed_bytes"]),
        "saved_bytes": a["size_bytes"] - b["size_bytes"],
        "saved_compressed_bytes": a["compressed_bytes"] - b["compressed_bytes"],
        "diff_total_bytes": paths.removed[0],
        "diff": _top(paths.removed, top),
        "added_total_bytes": paths.added[0],
        "added": _top(paths.added, top),
        "changed_total_bytes": paths.changed[0],
        "changed": _top(paths.changed, top),
        "diff_packages": packages.removed[:top],
        "added_packages": packages.added[:top],
        "changed_packages": packages.changed[:top],
        "floor_bytes": sum(f["bytes"] for f in floor_files) if floor_files else None,
        "floor": list(floor_files),
        "floor_image": None,
        "wasted": list(wasted),
        "settings": list(settings),
        "budgets": [],
    }
