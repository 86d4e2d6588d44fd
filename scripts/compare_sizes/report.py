"""The report as one JSON value: what --json prints and what the renderers read."""

UNITS = ("bytes; size_bytes is uncompressed (the engine's .Size), "
         "compressed_bytes is the layers gzipped")


def build(image_a, image_b, compressed_by, diff_total, diff, packages, floor_files, top):
    """IMAGE_A and IMAGE_B are measure.image_record()s; DIFF is [(path, bytes)]
    largest first, PACKAGES [(package, bytes)], FLOOR_FILES [{path, bytes}]."""
    a, b = image_a, image_b
    return {
        "units": UNITS,
        "compressed_by": compressed_by,
        "images": [a, b],
        "ratio": a["size_bytes"] / b["size_bytes"],
        "compressed_ratio": a["compressed_bytes"] / b["compressed_bytes"],
        "saved_bytes": a["size_bytes"] - b["size_bytes"],
        "saved_compressed_bytes": a["compressed_bytes"] - b["compressed_bytes"],
        "diff_total_bytes": diff_total,
        "diff": [{"path": p, "bytes": n} for p, n in diff[:top]],
        "diff_packages": [{"package": p, "bytes": n} for p, n in packages[:top]],
        "floor_bytes": sum(f["bytes"] for f in floor_files) if floor_files else None,
        "floor": floor_files,
    }
