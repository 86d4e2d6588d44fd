"""What an ELF file needs to run, read from its bytes, never executed: its
program interpreter (PT_INTERP) and the libraries of its dynamic section
(DT_NEEDED, DT_RUNPATH or DT_RPATH). Bytes from an image may be hostile:
every offset is checked, and anything out of bounds reads as absent.

A file from a layer is a stream read once, front to back, and may be tens of
megabytes (a compiler): read_stream keeps only its first KEEP bytes (the
headers, PT_INTERP and, in the files linkers make, .dynstr), then passes
over the rest, keeping just the dynamic section and the strings it names
that lie further on. What lies between KEEP and the dynamic section and is
not kept reads as absent. read() does the same on a file's bytes in memory."""
import struct
from collections.abc import Callable
from typing import Any, NamedTuple, cast

MAGIC = b"\x7fELF"
PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
DT_NULL, DT_NEEDED, DT_STRTAB, DT_STRSZ, DT_RPATH, DT_RUNPATH = 0, 1, 5, 10, 15, 29
MAX_DYNAMIC_ENTRIES = 4096
MAX_SEGMENTS = 4096

# .dynstr lies after .dynsym near the start of a file: at 3.5 MiB for a Go
# program exporting 120,000 symbols, within 4 MiB for the 56 MiB libclang-cpp.
KEEP = 16 << 20             # the start of a streamed file kept whole
STRING_MAX = 4096           # a name further on is read this far for its end (PATH_MAX)
KEPT_MAX = KEEP + (1 << 20)  # all that is kept of one file, at most
PASS = 1 << 20              # the most read at once


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


class _Bytes:
    """Pieces of a file at their offsets: what read()'s bytes or a stream's
    kept parts hold. Anything not within one piece is absent."""

    def __init__(self, pieces: list[tuple[int, bytes | bytearray]]) -> None:
        self.pieces = pieces        # (offset, bytes), in order, not overlapping

    def _piece(self, at: int) -> tuple[int, bytes | bytearray] | None:
        for start, data in self.pieces:
            if start <= at < start + len(data):
                return start, data
        return None

    def unpack(self, fmt: str, at: int) -> tuple[Any, ...] | None:
        found = self._piece(at) if at >= 0 else None
        if found is None:
            return None
        start, data = found
        if at - start + struct.calcsize(fmt) > len(data):
            return None
        return tuple(struct.unpack_from(fmt, data, at - start))

    def string(self, at: int, end: int | None = None) -> str | None:
        """The NUL-terminated string at AT (ending before END), or None."""
        found = self._piece(at) if at >= 0 else None
        if found is None:
            return None
        start, data = found
        stop = data.find(b"\0", at - start, len(data) if end is None else max(0, end - start))
        if stop < 0:
            return None
        return data[at - start:stop].decode("utf-8", "replace")


class _Stream(_Bytes):
    """A stream read forward once, keeping the pieces asked for."""

    def __init__(self, read: Callable[[int], bytes], head: bytes = b"") -> None:
        super().__init__([])
        self._read = read
        self._head = head           # the stream's first bytes, already read
        self.position = 0           # bytes of the stream passed, kept or not
        self.kept = 0               # bytes kept, at most KEPT_MAX
        self.ended = False

    def _next(self, size: int) -> bytes:
        if self._head:
            data, self._head = self._head[:size], self._head[size:]
        else:
            data = self._read(size)
        if not data:
            self.ended = True
        self.position += len(data)
        return data

    def keep(self, start: int, length: int) -> None:
        """Keep bytes [START, START+LENGTH) of the stream, as far as it has
        them: passing over what lies before; bytes already passed stay absent
        unless kept before."""
        length = min(length, KEPT_MAX - self.kept)
        if length <= 0 or self.ended or start + length <= self.position:
            return
        while self.position < start and not self.ended:
            self._next(min(PASS, start - self.position))
        if self.ended:
            return
        end = start + length
        last = self.pieces[-1] if self.pieces else None
        if last is not None and last[0] + len(last[1]) == self.position:
            data = cast(bytearray, last[1])     # adjacent: one piece
        else:
            data = bytearray()
            self.pieces.append((self.position, data))
        while self.position < end and not self.ended:
            piece = self._next(min(PASS, end - self.position))
            data += piece
            self.kept += len(piece)


def _header(data: _Bytes) -> _Header | None:
    ident = data.unpack("4sBB", 0)
    if ident is None or data.unpack("52x", 0) is None:
        return None
    magic, width, order = ident
    if magic != MAGIC or width not in (1, 2) or order not in (1, 2):
        return None
    endian = "<" if order == 1 else ">"
    wide = width == 2
    if wide and data.unpack("64x", 0) is None:
        return None
    fields = data.unpack(endian + ("32xQ14xHH" if wide else "28xI10xHH"), 0)
    if fields is None:
        return None
    phoff, phentsize, phnum = fields
    return _Header(endian, wide, phoff, phentsize, phnum)


def _segments(data: _Bytes, h: _Header) -> list[tuple[int, int, int, int]]:
    """(type, offset, vaddr, filesz) of each program header in bounds."""
    found: list[tuple[int, int, int, int]] = []
    fmt = h.endian + ("IIQQQQ" if h.wide else "IIIII")
    need = struct.calcsize(fmt)
    for i in range(min(h.phnum, MAX_SEGMENTS)):
        fields = data.unpack(fmt, h.phoff + i * h.phentsize) if h.phentsize >= need else None
        if fields is None:
            break
        if h.wide:
            ptype, _, offset, vaddr, _, filesz = fields
        else:
            ptype, offset, vaddr, _, filesz = fields
        found.append((ptype, offset, vaddr, filesz))
    return found


def _file_offset(segments: list[tuple[int, int, int, int]], vaddr: int) -> int | None:
    for ptype, offset, start, filesz in segments:
        if ptype == PT_LOAD and start <= vaddr < start + filesz:
            return offset + vaddr - start
    return None


def _entry_size(h: _Header) -> int:
    return 16 if h.wide else 8


def _dynamic(data: _Bytes, h: _Header, offset: int, size: int) -> list[tuple[int, int]]:
    fmt = h.endian + ("qQ" if h.wide else "iI")
    step = _entry_size(h)
    entries: list[tuple[int, int]] = []
    for at in range(offset, offset + size, step):
        entry = data.unpack(fmt, at)
        if entry is None:
            break
        tag, value = entry
        if tag == DT_NULL or len(entries) >= MAX_DYNAMIC_ENTRIES:
            break
        entries.append((tag, value))
    return entries


_NAMES = (DT_NEEDED, DT_RUNPATH, DT_RPATH)


def _parse(data: _Bytes, stream: _Stream | None = None) -> ElfInfo | None:
    """The needs read from DATA; with STREAM (DATA itself), each part is kept
    before it is read."""
    h = _header(data)
    if h is None:
        return None
    segments = _segments(data, h)
    interp = next(((off, size) for t, off, _, size in segments if t == PT_INTERP), None)
    dynamic = next(((off, size) for t, off, _, size in segments if t == PT_DYNAMIC), None)
    if stream is not None:
        # In the order they come; the last entry may run past the section's end.
        step = _entry_size(h)
        wanted = ([(interp[0], min(interp[1], STRING_MAX))] if interp else []) + \
            ([(dynamic[0], min(dynamic[1] + step, (MAX_DYNAMIC_ENTRIES + 1) * step))] if dynamic else [])
        for off, size in sorted(wanted):
            stream.keep(off, size)
    interpreter = data.string(interp[0], interp[0] + interp[1]) if interp else None
    if dynamic is None:
        return ElfInfo(interpreter, (), ())
    entries = _dynamic(data, h, *dynamic)
    strtab = next((v for t, v in entries if t == DT_STRTAB), None)
    base = _file_offset(segments, strtab) if strtab is not None else None
    if base is None:
        return ElfInfo(interpreter, (), ())
    strings: int = base
    if stream is not None:
        for at in sorted({strings + v for t, v in entries if t in _NAMES}):
            if data.string(at) is None:
                stream.keep(at, STRING_MAX)

    def names(tag: int) -> list[str]:
        return [s for t, v in entries if t == tag for s in [data.string(strings + v)] if s]

    runpath = [p for text in names(DT_RUNPATH) or names(DT_RPATH) for p in text.split(":") if p]
    return ElfInfo(interpreter, tuple(names(DT_NEEDED)), tuple(runpath))


def read(data: bytes) -> ElfInfo | None:
    """The ELF file's needs, or None when data is not an ELF file."""
    return _parse(_Bytes([(0, data)]))


def read_stream(read: Callable[[int], bytes], head: bytes = b"") -> ElfInfo | None:
    """The needs of the ELF file that READ (a file's read) gives, after HEAD,
    its first bytes already read; None when it is not an ELF file. Holds at
    most KEPT_MAX bytes of it, plus one piece of PASS bytes at a time."""
    stream = _Stream(read, head)
    stream.keep(0, KEEP)
    return _parse(stream, stream)
