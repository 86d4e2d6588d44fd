"""One layer of an image, read once: its digest, its size gzipped (an estimate),
its files, and what the floor and the package list need of their contents
(links, what each ELF file or #! script needs, dpkg's status). Nothing is
written to disk, and every path stays inside the image's root."""
import fnmatch
import hashlib
import posixpath
import tarfile
from typing import IO, Any, cast

from . import elf, gzsize
from .stream import BUFFER, ForwardReader

# What is read of one file, at most: a status file is text. An ELF file is
# read through, keeping only its start and its dynamic section (elf.read_stream).
TEXT_READ_MAX = 16 << 20
SHEBANG_MAX = 256
TEXTS = ("/var/lib/dpkg/status", "/var/lib/dpkg/status.d/*", "/etc/ld.so.conf",
         "/etc/ld.so.conf.d/*.conf")

# A tar member's meaning: ("file", path, size), ("whiteout", path), ("opaque", directory).
Entry = tuple[str, str] | tuple[str, str, int]

OPAQUE = ".wh..wh..opq"     # this directory hides what the layers below put in it
WHITEOUT = ".wh."           # .wh.NAME: NAME is deleted from the layers below


def entry_of(member: tarfile.TarInfo) -> Entry | None:
    """What a tar member means for the final file system: ("file", path, size),
    ("whiteout", path) or ("opaque", directory); None for a directory."""
    # normpath keeps "/../../etc" at the root: "/etc".
    path = posixpath.normpath("/" + member.name)
    directory, _, base = path.rpartition("/")
    if base == OPAQUE:
        return ("opaque", directory or "/")
    if base.startswith(WHITEOUT):
        return ("whiteout", directory + "/" + base[len(WHITEOUT):])
    if member.isdir():
        return None
    return ("file", path, member.size if member.isreg() else 0)


_LISTS = {"whiteout": "whiteouts", "opaque": "opaque"}
# The fields of a layer record that list its files (the rest are its sizes).
FILE_FIELDS = ("files", "whiteouts", "opaque", "links", "elf", "texts")


def _contents(tar: tarfile.TarFile, member: tarfile.TarInfo, path: str, record: dict[str, Any]) -> None:
    """What the floor and the packages need of a regular file's bytes."""
    data = tar.extractfile(member)
    if data is None:
        return
    if any(fnmatch.fnmatchcase(path, pattern) for pattern in TEXTS):
        record["texts"][path] = data.read(TEXT_READ_MAX).decode("utf-8", "replace")
        return
    head = data.read(4)
    if head == elf.MAGIC:
        info = elf.read_stream(data.read, head)
        if info is not None:
            record["elf"][path] = [info.interpreter, list(info.needed), list(info.runpath)]
    elif head.startswith(b"#!"):  # a script: its interpreter is what it needs
        line = (head + data.read(SHEBANG_MAX)).split(b"\n", 1)[0][2:].decode("utf-8", "replace")
        words = line.split()
        record["elf"][path] = [words[0] if words else None, [], []]


def unpacked_size(member: tarfile.TarInfo) -> int:
    """What the member adds to the layer unpacked, as the classic store's
    overlay2 counts a layer (docker history's SIZE): the bytes of each regular
    file (a hard link's once), and of each symbolic link its target's length;
    directories and whiteouts nothing. The containerd store counts disk
    blocks instead, so it is counted here, the same on both stores."""
    if member.isreg():
        return member.size
    if member.issym():
        return len(member.linkname.encode("utf-8", "surrogateescape"))
    return 0


def list_entries(stream: IO[bytes]) -> dict[str, Any]:
    """The file list of a layer tar read from STREAM, as a layer record's fields."""
    files: dict[str, int] = {}
    record: dict[str, Any] = {"files": files, "whiteouts": [], "opaque": [], "links": {},
                              "elf": {}, "texts": {}, "unpacked_bytes": 0}
    with tarfile.open(fileobj=stream, mode="r:") as tar:
        for member in tar:
            entry = entry_of(member)
            if entry is None:
                continue
            if entry[0] != "file":
                record[_LISTS[entry[0]]].append(entry[1])
                continue
            _, path, size = cast(tuple[str, str, int], entry)
            files[path] = size
            record["unpacked_bytes"] += unpacked_size(member)
            if member.issym():
                record["links"][path] = member.linkname
            elif member.islnk():  # a hard link names another member: absolute in the image
                record["links"][path] = posixpath.normpath("/" + member.linkname)
            elif member.isreg() and size > 0:
                _contents(tar, member, path, record)
    return record


def measure(stream: IO[bytes], pool: gzsize.Pool) -> tuple[str, dict[str, Any]]:
    """Read a layer tar once: ("sha256:...", record) where the record has
    tar_bytes, unpacked_bytes, compressed_bytes (and compressed_method: how)
    and the file list."""
    digest = hashlib.sha256()
    counter = gzsize.Counter(pool)
    tee = ForwardReader(stream.read, [digest.update, counter.feed])
    record = list_entries(cast(IO[bytes], tee))
    # tar stops at its end-of-archive blocks; the digest covers the padding too.
    tee.drain()
    record["tar_bytes"] = tee.position
    record["compressed_bytes"] = counter.total()
    record["compressed_method"] = pool.method()
    return "sha256:" + digest.hexdigest(), record


def digest_only(stream: IO[bytes]) -> str:
    """Only the digest of a layer tar, for a layer measured before."""
    digest = hashlib.sha256()
    while True:
        data = stream.read(BUFFER)
        if not data:
            return "sha256:" + digest.hexdigest()
        digest.update(data)
