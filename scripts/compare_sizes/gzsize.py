"""How many bytes gzip -6 makes of a stream, using every CPU: counted for a
layer's first 16 MiB, estimated from a sample of it past that.

Like pigz: the input is cut into chunks of 128 KiB, each compressed on its own
thread with the previous chunk's last 32 KiB as its dictionary, so the result
is within a few bytes per chunk of one gzip stream's. zlib releases the GIL
while it deflates, so the threads really run at once. Only the size is kept.

Deflating is what a cold run spends its time on (zlib -6 does some 30 MB/s
on a core), so past a layer's first EXACT bytes only one chunk in EVERY is
deflated, still with the 32 KiB before it as its dictionary, and the
deflated size of the chunks passed over is taken to be that of the ones
deflated, byte for byte: exact part + sampled part x (bytes past EXACT /
bytes sampled). Which chunks are sampled depends only on their offsets, so
the figure does not depend on how the stream is read nor on the threads.
The error is a sampling one, smaller the larger the layer: against deflating
every chunk, -0.05% for gcc:12's 1.2 GB layer, +0.8% for bookworm-slim's
78 MB, -0.8% for a 250 MB tar of compilers. A layer of EXACT bytes or fewer
gets the same figure as a full run.
"""
import concurrent.futures
import os
import threading
import zlib
from typing import Any

LEVEL = 6                  # docker push's default level
CHUNK = 128 << 10          # pigz's block size: the same blocks give the same sizes
WINDOW = 32 << 10          # deflate's window: all a chunk can refer back to
GZIP_FRAMING = 10 + 8      # the gzip header and trailer (CRC-32 and length)
EXACT = 16 << 20           # every chunk of a layer's first 16 MiB is deflated
EVERY = 4                  # past that, one chunk in 4: the first of each 4


def cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _deflated_size(chunk: bytes, dictionary: bytes, last: bool) -> int:
    """The raw deflate bytes for CHUNK, ended by a sync flush (or the final block)."""
    args: dict[str, Any] = {"zdict": dictionary} if dictionary else {}
    z = zlib.compressobj(LEVEL, zlib.DEFLATED, -15, **args)
    n = len(z.compress(chunk))
    return n + len(z.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))


def _mib(n: int) -> str:
    return f"{n / (1 << 20):g} MiB"


def method(exact: int = EXACT, every: int = EVERY) -> str:
    """What decides the figures (the threads do not), as the cache records it:
    a layer measured by another method is measured again."""
    return f"gzip -{LEVEL} in blocks of {CHUNK >> 10} KiB; past {_mib(exact)}, 1 block in {every}"


METHOD = method()


class Pool:
    """The threads that compress, shared by every layer of a run, and how much
    of each layer they deflate: all of its first EXACT bytes (a multiple of
    CHUNK), past that one chunk in EVERY."""

    def __init__(self, threads: int | None = None, exact: int = EXACT, every: int = EVERY) -> None:
        if exact % CHUNK or every < 1:
            raise ValueError("exact must be a multiple of CHUNK and every at least 1")
        self.threads = threads or cpus()
        self.exact = exact
        self.every = every
        self.executor = concurrent.futures.ThreadPoolExecutor(self.threads)
        # Bounds the chunks in memory to a few per thread.
        self.slots = threading.BoundedSemaphore(2 * self.threads + 2)

    def describe(self) -> str:
        method = f"gzip -{LEVEL} with zlib on {self.threads} CPUs"
        if self.every == 1:
            return method
        return f"{method}; past {_mib(self.exact)} of a layer, 1 block in {self.every}, scaled"

    def method(self) -> str:
        return method(self.exact, self.every)

    def deflates(self, start: int) -> bool:
        """Whether the chunk at offset START of a layer is deflated."""
        return start < self.exact or (start - self.exact) // CHUNK % self.every == 0

    def submit(self, chunk: bytes, dictionary: bytes,
               last: bool) -> "concurrent.futures.Future[int]":
        self.slots.acquire()
        future = self.executor.submit(_deflated_size, chunk, dictionary, last)
        future.add_done_callback(lambda _: self.slots.release())
        return future

    def close(self) -> None:
        self.executor.shutdown()


class Counter:
    """Feed it bytes; total() is the size gzip -6 would make of them (past the
    pool's EXACT bytes, estimated from a sample of chunks)."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self._parts: list[bytes] = []
        self._pending = 0
        self._offset = 0            # where the next chunk starts
        self._dictionary = b""      # the last WINDOW bytes before it
        self._exact: list[concurrent.futures.Future[int]] = []
        self._sampled: list[concurrent.futures.Future[int]] = []
        self.sampled_bytes = 0      # bytes past EXACT that were deflated
        self.deflated_bytes = 0     # bytes deflated in all

    def feed(self, data: bytes) -> None:
        self._parts.append(data)
        self._pending += len(data)
        if self._pending >= CHUNK:
            # Cut at fixed offsets, so that the size does not depend on how
            # the stream was read.
            data = self._parts[0] if len(self._parts) == 1 else b"".join(self._parts)
            whole = len(data) - len(data) % CHUNK
            for start in range(0, whole, CHUNK):
                self._chunk(data, start, start + CHUNK, last=False)
            self._parts, self._pending = [data[whole:]], len(data) - whole

    def _chunk(self, data: bytes, start: int, end: int, last: bool) -> None:
        """The chunk data[start:end], at self._offset in the stream."""
        if self._pool.deflates(self._offset):
            chunk = data[start:end]
            future = self._pool.submit(chunk, self._dictionary, last)
            if self._offset < self._pool.exact:
                self._exact.append(future)
            else:
                self._sampled.append(future)
                self.sampled_bytes += end - start
            self.deflated_bytes += end - start
        self._offset += end - start
        # The next chunk's dictionary, kept only when it is to be deflated.
        self._dictionary = data[max(start, end - WINDOW):end] if self._pool.deflates(self._offset) else b""

    def total(self) -> int:
        tail = b"".join(self._parts)
        self._chunk(tail, 0, len(tail), last=True)
        self._parts, self._pending = [], 0
        exact = sum(f.result() for f in self._exact)
        sampled = sum(f.result() for f in self._sampled)
        past = self._offset - self._pool.exact
        if past <= 0 or self.sampled_bytes == 0:
            # All of it deflated (sampled is at most the final empty block
            # at offset EXACT).
            return GZIP_FRAMING + exact + sampled
        return GZIP_FRAMING + exact + (sampled * past + self.sampled_bytes // 2) // self.sampled_bytes
