"""The report as one JSON value: what --json prints and what the renderers read."""
from collections.abc import Mapping, Sequence
from typing import Any

UNITS = ("bytes; size_bytes is uncompressed (the engine's .Size), "
         "compressed_bytes is the layers gzipped")

Report = dict[str, Any]


def ratio(a: int, b: int) -> float | None:
    """A / B, or None when B is 0 (an image with no layers has no compressed bytes)."""
    return a / b if b else None


def build(image_a: Mapping[str, Any], image_b: Mapping[str, Any], compressed_by: str,
          diff_total: int, diff: Sequence[tuple[str, int]], packages: Sequence[tuple[str, int]],
          floor_files: Sequence[Mapping[str, Any]], top: int) -> Report:
    """IMAGE_A and IMAGE_B are measure.image_record()s; DIFF is [(path, bytes)]
    largest first, PACKAGES [(package, bytes)], FLOOR_FILES [{path, bytes}]."""
    a, b = image_a, image_b
    return {
        "units": UNITS,
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
    }
