"""The report as one JSON value: what --json prints and what the renderers read.
Its shape is the TypedDicts below: mypy checks every record against them, and
FIELDS (what --help lists) must name every key of Report."""
from collections.abc import Sequence
from typing import TypedDict

from .config_diff import Setting
from .wasted import Waste

UNITS = ("bytes; size_bytes is uncompressed (the engine's .Size on the classic store, "
         "the layers unpacked on the containerd store: the same figure), "
         "compressed_bytes is the layers gzipped, listed_bytes what docker images shows")


class Layer(TypedDict):
    digest: str                     # the layer's diff ID, sha256:...
    instruction: str                # the Dockerfile line that made it
    size_bytes: int | None          # unpacked, as docker history shows on the classic store
    compressed_bytes: int


class ImageRecord(TypedDict):
    version: str                    # the tag, or "latest"
    name: str                       # as named on the command line
    id: str
    size_bytes: int
    compressed_bytes: int
    listed_bytes: int | None        # what the engine's `docker images` shows (None: not listed)
    layers: list[Layer]
    metadata_only: int              # instructions that made no layer
    metadata_kinds: list[str]       # what each of them was: ENV, CMD... in order


class PathBytes(TypedDict):
    path: str
    bytes: int


class PackageBytes(TypedDict):
    package: str
    bytes: int


class BudgetResult(TypedDict):
    image: str
    option: str                     # the option that set it: "--max-size"
    limit_bytes: int
    size_bytes: int                 # what was measured
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
    diff_packages: list[PackageBytes]
    floor_bytes: int | None
    floor: list[PathBytes]
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
    "compressed_by": "how the compressed sizes were obtained",
    "images": "[A, B]: version, name, id, size_bytes, compressed_bytes, listed_bytes, "
              "layers[] (digest, instruction, size_bytes, compressed_bytes), metadata_only, "
              "metadata_kinds[]",
    "ratio": "A's size over B's (null when B has no bytes)",
    "compressed_ratio": "the same, compressed",
    "saved_bytes": "A's size minus B's",
    "saved_compressed_bytes": "the same, compressed",
    "diff_total_bytes": "all of A's paths that B does not have",
    "diff": "[] the largest of them by directory: path, bytes",
    "diff_packages": "[] Debian packages in A and not in B: package, bytes",
    "floor_bytes": "B's binary plus its libraries (null: not measured)",
    "floor": "[] their files: path, bytes",
    "wasted": "[A, B]: wasted_bytes (what a later layer overwrote or deleted), efficiency "
              "(dive's score), offenders[] (path, bytes, how, layer)",
    "settings": "[] how a container of each runs: name, a, b, same",
    "budgets": "[] one per --max-size: image, option, limit_bytes, size_bytes, held",
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


def build(a: ImageRecord, b: ImageRecord, compressed_by: str,
          diff_total: int, diff: Sequence[tuple[str, int]], packages: Sequence[tuple[str, int]],
          floor_files: Sequence[PathBytes], top: int, wasted: Sequence[Waste] = (),
          settings: Sequence[Setting] = (), store: str = "overlay2") -> Report:
    """A and B are measure.image_record()s; DIFF is [(path, bytes)] largest
    first, PACKAGES [(package, bytes)], FLOOR_FILES [{path, bytes}]. The
    budgets are added once checked."""
    return {
        "units": UNITS,
        "store": store,
        "compressed_by": compressed_by,
        "images": [a, b],
        "ratio": ratio(a["size_bytes"], b["size_bytes"]),
        "compressed_ratio": ratio(a["compressed_bytes"], b["compressed_bytes"]),
        "saved_bytes": a["size_bytes"] - b["size_bytes"],
        "saved_compressed_bytes": a["compressed_bytes"] - b["compressed_bytes"],
        "diff_total_bytes": diff_total,
        "diff": [{"path": p, "bytes": n} for p, n in diff[:top]],
        "diff_packages": [{"package": p, "bytes": n} for p, n in packages[:top]],
        "floor_bytes": sum(f["bytes"] for f in floor_files) if floor_files else None,
        "floor": list(floor_files),
        "wasted": list(wasted),
        "settings": list(settings),
        "budgets": [],
    }
