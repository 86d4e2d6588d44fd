"""A `docker save` stream, read once as it arrives: the image's config, and
each layer measured (or only hashed, when an earlier run measured it).

Three layouts exist. Older engines name a layer ID/layer.tar, with an ID that
is not its digest, so a layer is known only once hashed: one whose size is
that of a measured layer is only hashed, and if the hash says otherwise the
caller reads the image again with skip_by_size=False. Newer engines write the
OCI layout, blobs/sha256/DIGEST: with the classic store a layer blob is its
plain tar, named by its diff ID; with the containerd image store it is
compressed, named by the digest of the compressed bytes, and which blobs are
the image's only index.json, at the end of the stream, says (oci.pick). So
every blob is read as it comes: a small JSON one is kept, any other is a
layer, decompressed and measured, and a compressed blob once measured is
remembered by its digest, so that a rerun skips it. A compressed blob's size
is what the content store holds (and a push sends): kept per layer as
content_sizes.
"""
import hashlib
import io
import json
import tarfile
from collections.abc import Iterable
from typing import IO, Any, cast

from . import compression, gzsize, layer, oci
from .cache import Cache
from .engine import SaveStream
from .out import Fatal
from .stream import ForwardReader

JSON_MAX = 4 << 20      # an index, a manifest or a config; a layer is rarely this small


def classify(name: str, image_id: str) -> str:
    """"config" (the classic layout's), "layer" (ID/layer.tar), "blob",
    "index" (index.json), "manifest" (manifest.json) or "other"."""
    hex_id = image_id.split(":", 1)[-1]
    if name == f"{hex_id}.json":
        return "config"
    if name.endswith("/layer.tar"):
        return "layer"
    if name.startswith("blobs/sha256/"):
        return "blob"
    return {"index.json": "index", "manifest.json": "manifest"}.get(name, "other")


class Walk:
    """One pass over the save stream of IMAGE_ID, whose layers are EXPECTED."""

    def __init__(self, image_id: str, expected: Iterable[str], cache: Cache,
                 pool: gzsize.Pool, skip_by_size: bool = True) -> None:
        self.image_id = image_id
        self.order = list(expected)
        self.expected = set(self.order)
        self.cache = cache
        self.pool = pool
        self.skip_by_size = skip_by_size
        self.config: dict[str, Any] | None = None
        self.mismatched = False     # a layer skipped by its size was not the one
        # The measured layers not yet seen in this pass, and their sizes.
        self.unseen: dict[str, int] = {d: cache.layer_sizes(d)["tar_bytes"]
                                       for d in self.expected if cache.has_layer(d)}
        self.json_blobs: dict[str, Any] = {}
        self.index: Any = None
        self.docker_manifest: Any = None
        self.blob_layers: dict[str, str] = {}   # a compressed blob's digest: its diff ID
        self.blob_sizes: dict[str, int] = {}    # every blob's size, as the store holds it
        # Per layer of the image, the size of its compressed blob (None: the
        # store holds it uncompressed); [] when the layout names no blobs.
        self.content_sizes: list[int | None] = []
        # All the content the store holds for the image (its manifest, config
        # and layer blobs); None when the layout names no blobs.
        self.content_bytes: int | None = None

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
        except (OSError, EOFError) as e:         # a compressed blob cut short or corrupt
            raise Fatal(f"docker save gave a broken layer: {e}") from None
        if self.config is None:
            picked = oci.pick(self.image_id, self.order, self.json_blobs, self.index,
                              self.docker_manifest)
            self.config = picked.config
            self._check_manifest(picked.layer_blobs)
            # A blob named by its diff ID is the plain tar: no compressed copy is stored.
            self.content_sizes = [None if blob in self.expected else self.blob_sizes.get(blob)
                                  for blob in picked.layer_blobs]
            held = [self.blob_sizes.get(b) for b in (*picked.meta_blobs, *picked.layer_blobs)]
            if picked.meta_blobs and None not in held:
                self.content_bytes = sum(n for n in held if n is not None)
        return self

    def _member(self, tar: tarfile.TarFile, member: tarfile.TarInfo) -> None:
        kind = classify(member.name, self.image_id)
        data = tar.extractfile(member) if kind != "other" else None
        if data is None:
            return
        if kind == "config":
            self.config = json.load(data)
        elif kind == "index":
            self.index = _json(data.read(JSON_MAX))
        elif kind == "manifest":
            self.docker_manifest = _json(data.read(JSON_MAX))
        elif kind == "layer":
            self._layer(member, data)
        else:
            self._blob(member, cast(io.BufferedReader, data))

    def _layer(self, member: tarfile.TarInfo, data: IO[bytes]) -> None:
        """ID/layer.tar: a plain tar whose digest only its bytes tell."""
        if self.skip_by_size and member.size in self.unseen.values():
            digest = self._check(member.name, layer.digest_only(data))
            self.mismatched |= self.unseen.pop(digest, None) is None
            return
        digest, record = layer.measure(data, self.pool)
        self.cache.put_layer(self._check(member.name, digest), record)

    def _blob(self, member: tarfile.TarInfo, data: io.BufferedReader) -> None:
        digest = "sha256:" + member.name.rsplit("/", 1)[1]
        self.blob_sizes[digest] = member.size
        known = digest if digest in self.expected else self.cache.blob_layer(digest)
        if known is not None and known in self.expected and self.cache.has_layer(known):
            if known != digest:
                self.blob_layers[digest] = known
            return
        head = data.peek(4)[:4]
        raw: IO[bytes] = data
        if head.startswith(b"{") and member.size <= JSON_MAX:
            content = data.read()
            value = _json(content)
            if isinstance(value, dict):
                self.json_blobs[digest] = value
                return
            raw = io.BytesIO(content)
        if compression.kind(head) == "tar":    # named by its diff ID, which measure checks
            diff_id, record = layer.measure(raw, self.pool)
            if diff_id != digest:
                raise Fatal(f"layer {member.name} has digest {diff_id}, which the image does not list"
                            if diff_id not in self.expected else
                            f"docker save gave a broken archive: {member.name} does not have its digest")
        else:
            diff_id, record = self._compressed(head, raw, member.name, digest)
            if diff_id not in self.expected:
                return                  # another platform's layer
        self.cache.put_layer(diff_id, record)
        if diff_id != digest:
            self.blob_layers[digest] = diff_id
            self.cache.put_blob(digest, diff_id)

    def _compressed(self, head: bytes, raw: IO[bytes], name: str,
                    digest: str) -> tuple[str, dict[str, Any]]:
        """Measure the tar inside a compressed blob, checking the blob's digest."""
        blob_hash = hashlib.sha256()
        tee = ForwardReader(raw.read, [blob_hash.update])
        diff_id, record = layer.measure(compression.open_tar(head, cast(IO[bytes], tee), name), self.pool)
        tee.drain()
        if "sha256:" + blob_hash.hexdigest() != digest:
            raise Fatal(f"docker save gave a broken archive: {name} does not have its digest")
        return diff_id, record

    def _check(self, name: str, digest: str) -> str:
        if digest not in self.expected:
            raise Fatal(f"layer {name} has digest {digest}, which the image does not list")
        return digest

    def _check_manifest(self, blobs: list[str]) -> None:
        """The manifest's layers, in order, are the config's diff IDs."""
        if not blobs:
            return
        if len(blobs) != len(self.order):
            raise Fatal(f"the image's manifest lists {len(blobs)} layers and its config {len(self.order)}")
        for n, (blob, diff_id) in enumerate(zip(blobs, self.order), 1):
            found = blob if blob in self.expected else self.blob_layers.get(blob)
            if found is not None and found != diff_id:
                raise Fatal(f"layer {n} of the image's manifest ({blob}) is {found}, "
                            f"but its config lists {diff_id}")


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
