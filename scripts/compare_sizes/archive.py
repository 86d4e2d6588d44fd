"""A `docker save` stream, read once as it arrives: the image's config, and
each layer measured (or only hashed, when an earlier run measured it).

Two layouts exist. Older engines name a layer ID/layer.tar, with an ID that
is not its digest, so a layer is known only once hashed: one whose size is
that of a measured layer is only hashed, and if the hash says otherwise the
caller reads the image again with skip_by_size=False. Newer engines write the
OCI layout, blobs/sha256/DIGEST, which names each layer outright.
"""
import json
import tarfile
from collections.abc import Iterable
from typing import IO, Any, cast

from . import gzsize, layer
from .cache import Cache
from .engine import SaveStream
from .out import Fatal
from .stream import ForwardReader


def classify(name: str, image_id: str, expected: set[str]) -> tuple[str, str | None]:
    """("config" | "layer" | "other", the layer's digest when the name says it)."""
    hex_id = image_id.split(":", 1)[-1]
    if name in (f"{hex_id}.json", f"blobs/sha256/{hex_id}"):
        return "config", None
    if name.endswith("/layer.tar"):
        return "layer", None
    if name.startswith("blobs/sha256/") and "sha256:" + name.rsplit("/", 1)[1] in expected:
        return "layer", "sha256:" + name.rsplit("/", 1)[1]
    return "other", None


class Walk:
    """One pass over the save stream of IMAGE_ID, whose layers are EXPECTED."""

    def __init__(self, image_id: str, expected: Iterable[str], cache: Cache,
                 pool: gzsize.Pool, skip_by_size: bool = True) -> None:
        self.image_id = image_id
        self.expected = set(expected)
        self.cache = cache
        self.pool = pool
        self.skip_by_size = skip_by_size
        self.config: dict[str, Any] | None = None
        self.mismatched = False     # a layer skipped by its size was not the one
        # The measured layers not yet seen in this pass, and their sizes.
        self.unseen: dict[str, int] = {d: cache.layer_sizes(d)["tar_bytes"]
                                       for d in self.expected if cache.has_layer(d)}

    def read(self, stream: SaveStream) -> "Walk":
        # tarfile wants a file; a forward-only reader is all its "r:" mode uses.
        source = cast(IO[bytes], ForwardReader(stream.read))
        try:
            with tarfile.open(fileobj=source, mode="r:") as tar:
                for member in tar:
                    if member.isreg():
                        self._member(tar, member)
        except tarfile.TarError as e:
            raise Fatal(f"docker save gave a broken archive: {e}") from None
        if self.config is None:
            raise Fatal("docker save did not include the image config")
        return self

    def _member(self, tar: tarfile.TarFile, member: tarfile.TarInfo) -> None:
        kind, digest = classify(member.name, self.image_id, self.expected)
        data = tar.extractfile(member) if kind != "other" else None
        if data is None:
            return
        if kind == "config":
            self.config = json.load(data)
        elif kind == "layer":
            self._layer(member, data, digest)

    def _layer(self, member: tarfile.TarInfo, data: IO[bytes], digest: str | None) -> None:
        if digest is not None and self.cache.has_layer(digest):
            return
        if digest is None and self.skip_by_size and member.size in self.unseen.values():
            digest = self._check(member.name, layer.digest_only(data))
            self.mismatched |= self.unseen.pop(digest, None) is None
            return
        digest, record = layer.measure(data, member.size, self.pool)
        self._check(member.name, digest)
        self.cache.put_layer(digest, record)

    def _check(self, name: str, digest: str) -> str:
        if digest not in self.expected:
            raise Fatal(f"layer {name} has digest {digest}, which the image does not list")
        return digest
