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

from . import layer
from .out import Fatal
from .stream import ForwardReader


def classify(name, image_id, expected):
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

    def __init__(self, image_id, expected, cache, pool, skip_by_size=True):
        self.image_id = image_id
        self.expected = set(expected)
        self.cache = cache
        self.pool = pool
        self.skip_by_size = skip_by_size
        self.config = None
        self.mismatched = False     # a layer skipped by its size was not the one
        # The measured layers not yet seen in this pass, and their sizes.
        self.unseen = {d: cache.layer_sizes(d)["tar_bytes"]
                       for d in self.expected if cache.has_layer(d)}

    def read(self, stream):
        try:
            with tarfile.open(fileobj=ForwardReader(stream.read), mode="r:") as tar:
                for member in tar:
                    if member.isreg():
                        self._member(tar, member)
        except tarfile.TarError as e:
            raise Fatal(f"docker save gave a broken archive: {e}") from None
        if self.config is None:
            raise Fatal("docker save did not include the image config")
        return self

    def _member(self, tar, member):
        kind, digest = classify(member.name, self.image_id, self.expected)
        if kind == "config":
            self.config = json.load(tar.extractfile(member))
        elif kind == "layer":
            self._layer(member, tar.extractfile(member), digest)

    def _layer(self, member, data, digest):
        if digest is not None and self.cache.has_layer(digest):
            return
        if digest is None and self.skip_by_size and member.size in self.unseen.values():
            digest = self._check(member.name, layer.digest_only(data))
            self.mismatched |= self.unseen.pop(digest, None) is None
            return
        digest, record = layer.measure(data, member.size, self.pool)
        self._check(member.name, digest)
        self.cache.put_layer(digest, record)

    def _check(self, name, digest):
        if digest not in self.expected:
            raise Fatal(f"layer {name} has digest {digest}, which the image does not list")
        return digest
