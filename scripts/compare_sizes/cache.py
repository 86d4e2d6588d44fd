"""What earlier runs measured, under $ASKELADDEN_STATE/sizes.

layers/HEX.json        a layer's sizes (tar_bytes, unpacked_bytes, compressed_bytes
                       and how it was estimated), by digest (its diff ID)
layers/HEX.tree.json   its file list (files, whiteouts, opaque, links, what its
                       ELF files need, dpkg's status files)
blobs/HEX.json         a compressed layer blob (the containerd store saves those):
                       the diff ID of the layer inside
images/ID.*.json       per image ID: its history, packages, floor; per pair: the diff
images/NAME.built      when compare-sizes last had the image NAME built
Every file is written whole (to a temporary name, then renamed), so runs at
the same time never read half a file.
"""
import json
import os
import tempfile
from typing import Any

from .gzsize import METHOD
from .layer import FILE_FIELDS


def _hex(digest: str) -> str:
    return digest.split(":", 1)[-1]


class Cache:
    def __init__(self, root: str, method: str = METHOD) -> None:
        self.root = root
        self.method = method            # how the compressed sizes are estimated now
        self.layers = os.path.join(root, "layers")
        self.images = os.path.join(root, "images")
        self.blobs = os.path.join(root, "blobs")
        for directory in (self.layers, self.images, self.blobs):
            os.makedirs(directory, exist_ok=True)

    def _layer_path(self, digest: str, kind: str) -> str:
        return os.path.join(self.layers, f"{_hex(digest)}.{kind}json")

    def has_layer(self, digest: str) -> bool:
        # A layer measured before unpacked_bytes was counted, or whose
        # compressed size was estimated another way, is measured again (runs
        # on two machines give the same figures, whatever their caches hold).
        sizes = load(self._layer_path(digest, ""))
        return (isinstance(sizes, dict) and "unpacked_bytes" in sizes
                and sizes.get("compressed_method") == self.method
                and os.path.exists(self._layer_path(digest, "tree.")))

    def layer_sizes(self, digest: str) -> dict[str, int]:
        sizes: dict[str, int] = load(self._layer_path(digest, ""))
        return sizes

    def layer_files(self, digest: str) -> dict[str, Any]:
        files: dict[str, Any] = load(self._layer_path(digest, "tree."))
        return files

    def put_layer(self, digest: str, record: dict[str, Any]) -> None:
        store(self._layer_path(digest, "tree."), {k: record[k] for k in FILE_FIELDS})
        store(self._layer_path(digest, ""), {k: v for k, v in record.items() if k not in FILE_FIELDS})

    def blob_layer(self, blob: str) -> str | None:
        """The diff ID of the layer in the compressed blob BLOB, when measured."""
        found = load(os.path.join(self.blobs, f"{_hex(blob)}.json"))
        return str(found["diff_id"]) if isinstance(found, dict) and "diff_id" in found else None

    def put_blob(self, blob: str, diff_id: str) -> None:
        store(os.path.join(self.blobs, f"{_hex(blob)}.json"), {"diff_id": diff_id})

    def image_path(self, *ids_and_kind: str) -> str:
        """images/ID[-ID2].KIND.json for image IDs (sha256: prefix dropped) and a kind."""
        *ids, kind = ids_and_kind
        return os.path.join(self.images, "-".join(_hex(i) for i in ids) + f".{kind}.json")

    def stamp_path(self, name: str) -> str:
        return os.path.join(self.images, name.replace(":", "-").replace("/", "-") + ".built")


def load(path: str, default: Any = None) -> Any:
    """The JSON value in PATH, or DEFAULT when there is no such file."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def store(path: str, value: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(value, f, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
