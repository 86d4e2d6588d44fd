import os
import struct
import sys
import tracemalloc
import unittest

import fixture  # noqa: F401
from compare_sizes import elf

MiB = 1 << 20
BASE = 0x400000                 # where the synthetic files are loaded
INTERP = b"/lib64/ld-linux-x86-64.so.2"
STRINGS = b"\0libfoo.so.1\0libc.so.6\0$ORIGIN/../lib:/opt/lib\0"
DT = {"needed": 1, "strtab": 5, "strsz": 10, "runpath": 29}


def synthetic(size, dynamic_at, strtab_at, strings=STRINGS, names=(1, 13), runpath=23):
    """The pieces {offset: bytes} of a SIZE-byte ELF64 file, zeros elsewhere:
    headers, PT_INTERP after them, one PT_LOAD over the whole file, the
    dynamic section at DYNAMIC_AT and its string table at STRTAB_AT."""
    dynamic = [(DT["needed"], v) for v in names] + [(DT["runpath"], runpath)] + [
        (DT["strtab"], BASE + strtab_at), (DT["strsz"], len(strings)), (0, 0)]
    phdrs = [(3, 64 + 3 * 56, len(INTERP) + 1),         # PT_INTERP
             (1, 0, size),                              # PT_LOAD
             (2, dynamic_at, 16 * len(dynamic))]        # PT_DYNAMIC
    header = (b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
              + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, BASE, 64, 0, 0, 64, 56, len(phdrs), 64, 0, 0))
    header += b"".join(struct.pack("<IIQQQQQQ", t, 4, off, BASE + off, BASE + off, n, n, 8)
                       for t, off, n in phdrs)
    header += INTERP + b"\0"
    return {0: header, dynamic_at: b"".join(struct.pack("<qQ", t, v) for t, v in dynamic),
            strtab_at: strings}


class Lazy:
    """read() over a file given as pieces on zeros, made as it is read (so
    that the test holds none of it), noting the most asked at once."""

    def __init__(self, pieces, size):
        self.pieces, self.size, self.position, self.largest = pieces, size, 0, 0

    def read(self, n=-1):
        n = self.size - self.position if n is None or n < 0 else min(n, self.size - self.position)
        self.largest = max(self.largest, n)
        start, end = self.position, self.position + n
        data = bytearray(n)
        for at, piece in self.pieces.items():
            lo, hi = max(start, at), min(end, at + len(piece))
            if lo < hi:
                data[lo - start:hi - start] = piece[lo - at:hi - at]
        self.position = end
        return bytes(data)


def whole(pieces, size):
    return Lazy(pieces, size).read()


def streamed(pieces, size):
    lazy = Lazy(pieces, size)
    return elf.read_stream(lazy.read, lazy.read(4)), lazy


def traced(pieces, size):
    """streamed(), and the peak of the bytes Python allocated meanwhile."""
    tracemalloc.start()
    try:
        info, lazy = streamed(pieces, size)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return info, lazy, peak


EXPECTED = elf.ElfInfo(INTERP.decode(), ("libfoo.so.1", "libc.so.6"), ("$ORIGIN/../lib", "/opt/lib"))


class Stream(unittest.TestCase):
    def test_a_40_mb_file_is_read_through_holding_a_few_mib(self):
        # A compiler's layout: .dynstr near the start, .dynamic near the end.
        size = 40 * MiB
        pieces = synthetic(size, dynamic_at=size - 64 * 1024, strtab_at=2 * MiB)
        info, lazy, peak = traced(pieces, size)
        self.assertEqual(info, EXPECTED)
        self.assertEqual(lazy.position, size - 64 * 1024 + 7 * 16)   # no further than needed
        self.assertLessEqual(lazy.largest, elf.PASS)
        self.assertLess(peak, elf.KEEP + 4 * MiB)
        self.assertLessEqual(elf.KEEP, 16 * MiB)

    def test_names_past_the_dynamic_section_are_read_forward(self):
        # patchelf's layout: a new string table appended at the end.
        size = 30 * MiB
        info, lazy = streamed(synthetic(size, dynamic_at=20 * MiB, strtab_at=size - 4096), size)
        self.assertEqual(info, EXPECTED)
        self.assertLessEqual(lazy.largest, elf.PASS)

    def test_names_passed_over_before_the_dynamic_section_read_as_absent(self):
        size = 40 * MiB
        info, _ = streamed(synthetic(size, dynamic_at=size - MiB, strtab_at=elf.KEEP + MiB), size)
        self.assertEqual(info, elf.ElfInfo(INTERP.decode(), (), ()))

    def test_a_file_within_the_kept_start_reads_as_a_whole_one(self):
        for dynamic_at, strtab_at in [(MiB, 4096), (4096, MiB), (elf.KEEP - 40, elf.KEEP + 100),
                                      (elf.KEEP - 8, 8192)]:
            with self.subTest(dynamic_at=dynamic_at, strtab_at=strtab_at):
                size = elf.KEEP + 2 * MiB
                pieces = synthetic(size, dynamic_at, strtab_at)
                self.assertEqual(streamed(pieces, size)[0], EXPECTED)
                self.assertEqual(elf.read(whole(pieces, size)), EXPECTED)

    def test_real_programs_and_libraries_read_the_same_streamed_or_whole(self):
        import _ssl
        paths = ["/bin/sh", os.path.realpath(sys.executable), _ssl.__file__]
        for path in paths:
            with self.subTest(path=path), open(path, "rb") as f:
                data = f.read()
                f.seek(4)
                streamed_info = elf.read_stream(f.read, data[:4])
            info = elf.read(data)
            self.assertEqual(streamed_info, info)
            self.assertTrue(info.needed, info)
        self.assertIn("libssl.so.3", elf.read(open(_ssl.__file__, "rb").read()).needed)


class Hostile(unittest.TestCase):
    """Offsets out of bounds read as absent, streamed or whole, and nothing
    is read or kept without bound."""

    def both(self, pieces, size):
        whole_info = elf.read(whole(pieces, size))
        streamed_info, lazy = streamed(pieces, size)
        self.assertLessEqual(lazy.largest, elf.PASS)
        return whole_info, streamed_info

    def test_not_elf_or_cut_short(self):
        pieces = synthetic(4096, 1024, 2048)
        for size in (0, 4, 51, 63):
            with self.subTest(size=size):
                self.assertEqual(self.both(pieces, size), (None, None))
        self.assertEqual(self.both({0: b"MZ" + bytes(100)}, 102), (None, None))

    def test_a_dynamic_section_beyond_the_end(self):
        pieces = synthetic(4096, 1024, 2048)
        pieces[0] = pieces[0].replace(struct.pack("<IIQ", 2, 4, 1024), struct.pack("<IIQ", 2, 4, 1 << 60))
        self.assertEqual(self.both(pieces, 4096), (elf.ElfInfo(INTERP.decode(), (), ()),) * 2)

    def test_names_beyond_the_end_or_unterminated(self):
        info = elf.ElfInfo(INTERP.decode(), ("libfoo.so.1",), ())
        for strings, names in [(STRINGS, (1, 1 << 40)), (b"\0libfoo.so.1\0" + b"x" * 9000, (1, 13))]:
            with self.subTest(names=names):
                size = 24 * MiB
                pieces = synthetic(size, 22 * MiB, size - len(strings), strings=strings, names=names,
                                   runpath=1 << 50)
                self.assertEqual(self.both(pieces, size), (info, info))

    def test_many_names_far_apart_keep_a_bounded_amount(self):
        size = 80 * MiB
        pieces = synthetic(size, 20 * MiB, 24 * MiB, names=[1] + [n * 16384 for n in range(1, 4000)])
        info, lazy, peak = traced(pieces, size)
        self.assertEqual(info.needed, ("libfoo.so.1",))     # the rest: zeros, empty names
        self.assertLessEqual(lazy.largest, elf.PASS)
        self.assertLess(peak, elf.KEPT_MAX + 4 * MiB)

    def test_a_huge_program_header_count(self):
        pieces = synthetic(4096, 1024, 2048)
        header = bytearray(pieces[0])
        header[56:58] = (65535).to_bytes(2, "little")
        pieces[0] = bytes(header)
        self.assertEqual(self.both(pieces, 4096), (EXPECTED, EXPECTED))
