"""A layer blob as the engine stores it, read as the tar it holds.

Docker's classic store saves layers as plain tars; its containerd image store
saves them as the registry has them, gzip (or zstd) compressed. Which one a
blob is, its first bytes say.
"""
import gzip
import importlib
from typing import IO, Any, cast

from .out import Fatal

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def kind(head: bytes) -> str:
    """"gzip", "zstd" or "tar", from a blob's first four bytes."""
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    return "tar"


def _zstd_reader(raw: IO[bytes]) -> IO[bytes] | None:
    """A zstd decompressing reader over RAW, or None when this Python has none."""
    # Python 3.14 has it; before, Debian's python3-zstandard.
    try:
        zstd: Any = importlib.import_module("compression.zstd")
        return cast(IO[bytes], zstd.ZstdFile(raw))
    except ImportError:
        pass
    try:
        zstandard: Any = importlib.import_module("zstandard")
    except ImportError:
        return None
    return cast(IO[bytes], zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True))


def open_tar(head: bytes, raw: IO[bytes], name: str) -> IO[bytes]:
    """The tar inside the blob NAME, read from RAW (HEAD: its first bytes)."""
    found = kind(head)
    if found == "gzip":
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    if found == "zstd":
        reader = _zstd_reader(raw)
        if reader is None:
            raise Fatal(f"{name} is compressed with zstd, which this Python cannot read "
                        "(install python3-zstandard, or rebuild the image with gzip layers)")
        return reader
    return raw
