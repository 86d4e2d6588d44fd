"""What an ELF file needs to run, read from its bytes, never executed: its
program interpreter (PT_INTERP) and the libraries of its dynamic section
(DT_NEEDED, DT_RUNPATH or DT_RPATH). Bytes from an image may be hostile:
every offset is checked, and anything out of bounds reads as absent."""
import struct
from typing import NamedTuple

MAGIC = b"\x7fELF"
PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
DT_NULL, DT_NEEDED, DT_STRTAB, DT_STRSZ, DT_RPATH, DT_RUNPATH = 0, 1, 5, 10, 15, 29
MAX_DYNAMIC_ENTRIES = 4096


class ElfInfo(NamedTuple):
    interpreter: str | None
    needed: tuple[str, ...]
    runpath: tuple[str, ...]


class _Header(NamedTuple):
    endian: str
    wide: bool      # ELF64
    phoff: int
    phentsize: int
    phnum: int


def _header(data: bytes) -> _Header | None:
    if len(data) < 52 or not data.startswith(MAGIC) or data[4] not in (1, 2) or data[5] not in (1, 2):
        return None
    endian = "<" if data[5] == 1 else ">"
    wide = data[4] == 2
    if wide:
        if len(data) < 64:
            return None
        phoff, = struct.unpack_from(endian + "Q", data, 32)
        phentsize, phnum = struct.unpack_from(endian + "HH", data, 54)
    else:
        phoff, = struct.unpack_from(endian + "I", data, 28)
        phentsize, phnum = struct.unpack_from(endian + "HH", data, 42)
    return _Header(endian, wide, phoff, phentsize, phnum)


def _segments(data: bytes, h: _Header) -> list[tuple[int, int, int, int]]:
    """(type, offset, vaddr, filesz) of each program header in bounds."""
    found: list[tuple[int, int, int, int]] = []
    fmt = h.endian + ("IIQQQQ" if h.wide else "IIIII")
    need = struct.calcsize(fmt)
    for i in range(min(h.phnum, 4096)):
        at = h.phoff + i * h.phentsize
        if h.phentsize < need or at + need > len(data):
            break
        if h.wide:
            ptype, _, offset, vaddr, _, filesz = struct.unpack_from(fmt, data, at)
        else:
            ptype, offset, vaddr, _, filesz = struct.unpack_from(fmt, data, at)
        found.append((ptype, offset, vaddr, filesz))
    return found


def _string(data: bytes, at: int, end: int | None = None) -> str | None:
    if at < 0 or at >= len(data):
        return None
    stop = data.find(b"\0", at, end if end is not None else len(data))
    if stop < 0:
        return None
    return data[at:stop].decode("utf-8", "replace")


def _file_offset(segments: list[tuple[int, int, int, int]], vaddr: int) -> int | None:
    for ptype, offset, start, filesz in segments:
        if ptype == PT_LOAD and start <= vaddr < start + filesz:
            return offset + vaddr - start
    return None


def _dynamic(data: bytes, h: _Header, offset: int, size: int) -> list[tuple[int, int]]:
    fmt = h.endian + ("qQ" if h.wide else "iI")
    step = struct.calcsize(fmt)
    entries: list[tuple[int, int]] = []
    for at in range(offset, min(offset + size, len(data) - step + 1), step):
        tag, value = struct.unpack_from(fmt, data, at)
        if tag == DT_NULL or len(entries) >= MAX_DYNAMIC_ENTRIES:
            break
        entries.append((tag, value))
    return entries


def read(data: bytes) -> ElfInfo | None:
    """The ELF file's needs, or None when data is not an ELF file."""
    h = _header(data)
    if h is None:
        return None
    segments = _segments(data, h)
    interpreter = next((_string(data, off, off + size) for t, off, _, size in segments if t == PT_INTERP), None)
    dynamic = next(((off, size) for t, off, _, size in segments if t == PT_DYNAMIC), None)
    if dynamic is None:
        return ElfInfo(interpreter, (), ())
    entries = _dynamic(data, h, *dynamic)
    strtab = next((v for t, v in entries if t == DT_STRTAB), None)
    base = _file_offset(segments, strtab) if strtab is not None else None
    if base is None:
        return ElfInfo(interpreter, (), ())
    strings: int = base

    def names(tag: int) -> list[str]:
        return [s for t, v in entries if t == tag for s in [_string(data, strings + v)] if s]

    runpath = [p for text in names(DT_RUNPATH) or names(DT_RPATH) for p in text.split(":") if p]
    return ElfInfo(interpreter, tuple(names(DT_NEEDED)), tuple(runpath))
