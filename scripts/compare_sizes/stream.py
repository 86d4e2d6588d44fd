"""Reading a stream once, front to back, as tarfile's seeking mode wants it.

tarfile's stream mode ("r|") copies its whole buffer on every small read,
which for a layer of many small files costs more than hashing it; its
seeking mode only ever seeks forward when it walks members in order, and
a forward seek can be done by reading.
"""
import io
from collections.abc import Callable, Iterable, Sequence

BUFFER = 1 << 20


class ForwardReader:
    """read(), tell() and a forward-only seek() over READ (a read function);
    every byte passed over, read or skipped, goes to each of SINKS."""

    def __init__(self, read: Callable[[int], bytes],
                 sinks: Sequence[Callable[[bytes], object]] = ()) -> None:
        self._read = read
        self._sinks = sinks
        self.position = 0

    def read(self, size: int | None = -1) -> bytes:
        data = self._read(-1 if size is None else size)
        self.position += len(data)
        for sink in self._sinks:
            sink(data)
        return data

    def tell(self) -> int:
        return self.position

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self.position
        elif whence != io.SEEK_SET:
            raise io.UnsupportedOperation("can only seek from the start or from here")
        if offset < self.position:
            raise io.UnsupportedOperation("a stream read once cannot seek backwards")
        while self.position < offset and self.read(min(BUFFER, offset - self.position)):
            pass
        return self.position

    def drain(self) -> None:
        """Read to the end (so that the sinks see every byte)."""
        while self.read(BUFFER):
            pass


class ChunkReader:
    """read(size) over an iterator of byte chunks (a streamed HTTP reply)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._chunk = b""
        self._offset = 0
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        parts, wanted = [], size
        while size < 0 or wanted > 0:
            if self._offset >= len(self._chunk):
                self._chunk, self._offset = next(self._chunks, b""), 0
                if not self._chunk:
                    break
            end = len(self._chunk) if size < 0 else min(len(self._chunk), self._offset + wanted)
            parts.append(self._chunk[self._offset:end])
            wanted -= end - self._offset
            self._offset = end
        data = parts[0] if len(parts) == 1 else b"".join(parts)
        self.bytes_read += len(data)
        return data
