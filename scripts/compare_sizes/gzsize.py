"""How many bytes gzip -6 makes of a stream, using every CPU.

Like pigz: the input is cut into chunks, each compressed on its own thread with
the previous chunk's last 32 KiB as its dictionary, so the result is within a
few bytes per chunk of one gzip stream's. zlib releases the GIL while it
deflates, so the threads really run at once. Only the size is kept.
"""
import concurrent.futures
import os
import threading
import zlib
from typing import Any

LEVEL = 6                  # docker push's default level
CHUNK = 128 << 10        # pigz's block size: the same blocks give the same sizes
WINDOW = 32 << 10          # deflate's window: all a chunk can refer back to
GZIP_FRAMING = 10 + 8      # the gzip header and trailer (CRC-32 and length)


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


class Pool:
    """The threads that compress, shared by every layer of a run."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or cpus()
        self.executor = concurrent.futures.ThreadPoolExecutor(self.threads)
        # Bounds the chunks in memory to a few per thread.
        self.slots = threading.BoundedSemaphore(2 * self.threads + 2)

    def describe(self) -> str:
        return f"gzip -{LEVEL} with zlib on {self.threads} CPUs"

    def submit(self, chunk: bytes, dictionary: bytes,
               last: bool) -> "concurrent.futures.Future[int]":
        self.slots.acquire()
        future = self.executor.submit(_deflated_size, chunk, dictionary, last)
        future.add_done_callback(lambda _: self.slots.release())
        return future

    def close(self) -> None:
        self.executor.shutdown()


class Counter:
    """Feed it bytes; total() is the size gzip -6 would make of them."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self._parts: list[bytes] = []
        self._pending = 0
        self._dictionary = b""
        self._futures: list[concurrent.futures.Future[int]] = []

    def feed(self, data: bytes) -> None:
        self._parts.append(data)
        self._pending += len(data)
        if self._pending >= CHUNK:
            # Cut at fixed offsets, so that the size does not depend on how
            # the stream was read.
            data = b"".join(self._parts)
            whole = len(data) - len(data) % CHUNK
            for start in range(0, whole, CHUNK):
                self._send(data[start:start + CHUNK], last=False)
            self._parts, self._pending = [data[whole:]], len(data) - whole

    def _send(self, chunk: bytes, last: bool) -> None:
        self._futures.append(self._pool.submit(chunk, self._dictionary, last))
        self._dictionary = chunk[-WINDOW:]

    def total(self) -> int:
        self._send(b"".join(self._parts), last=True)
        self._parts, self._pending = [], 0
        return GZIP_FRAMING + sum(f.result() for f in self._futures)
