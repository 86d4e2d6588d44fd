"""One layer of an image, read once: its digest, its size gzipped, its files."""
import hashlib
import tarfile
from typing import IO, Any, cast

from . import gzsize
from .stream import BUFFER, ForwardReader

# A tar member's meaning: ("file", path, size), ("whiteout", path), ("opaque", directory).
Entry = tuple[str, str] | tuple[str, str, int]

OPAQUE = ".wh..wh..opq"     # this directory hides what the layers below put in it
WHITEOUT = ".wh."           # .wh.NAME: NAME is deleted from the layers below


def entry_of(member: tarfile.TarInfo) -> Entry | None:
    """What a tar member means for the final file system: ("file", path, size),
    ("whiteout", path) or ("opaque", directory); None for a directory."""
    name = member.name[2:] if member.name.startswith("./") else member.name
    path = "/" + name.rstrip("/")
    directory, _, base = path.rpartition("/")
    if base == OPAQUE:
        return ("opaque", directory or "/")
    if base.startswith(WHITEOUT):
        return ("whiteout", directory + "/" + base[len(WHITEOUT):])
    if member.isdir():
        return None
    return ("file", path, member.size if member.isreg() else 0)


_LISTS = {"whiteout": "whiteouts", "opaque": "opaque"}


def list_entries(stream: IO[bytes]) -> dict[str, Any]:
    """The file list of a layer tar read from STREAM, as a layer record's fields."""
    files: dict[str, int] = {}
    record: dict[str, Any] = {"files": files, "whiteouts": [], "opaque": []}
    with tarfile.open(fileobj=stream, mode="r:") as tar:
        for member in tar:
            entry = entry_of(member)
            if entry is None:
                continue
            if entry[0] == "file":
                _, path, size = cast(tuple[str, str, int], entry)
                files[path] = size
            else:
                record[_LISTS[entry[0]]].append(entry[1])
    return record


def measure(stream: IO[bytes], tar_bytes: int,
            pool: gzsize.Pool) -> tuple[str, dict[str, Any]]:
    """Read a layer tar once: ("sha256:...", record) where the record has
    tar_bytes, compressed_bytes and the file list."""
    digest = hashlib.sha256()
    counter = gzsize.Counter(pool)
    tee = ForwardReader(stream.read, [digest.update, counter.feed])
    record = list_entries(cast(IO[bytes], tee))
    # tar stops at its end-of-archive blocks; the digest covers the padding too.
    tee.drain()
    record["tar_bytes"] = tar_bytes
    record["compressed_bytes"] = counter.total()
    return "sha256:" + digest.hexdigest(), record


def digest_only(stream: IO[bytes]) -> str:
    """Only the digest of a layer tar, for a layer measured before."""
    digest = hashlib.sha256()
    while True:
        data = stream.read(BUFFER)
        if not data:
            return "sha256:" + digest.hexdigest()
        digest.update(data)
