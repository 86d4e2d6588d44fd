"""Small images made in the test: layer tars, `docker save` archives in both
layouts, and a stand-in for the engine that serves them."""
import hashlib
import io
import json
import os
import sys
import tarfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))

from compare_sizes.engine import Image  # noqa: E402


def layer_tar(entries):
    """A layer: ENTRIES maps a path to bytes (a file), None (a directory) or
    "->TARGET" (a symbolic link)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in entries.items():
            info = tarfile.TarInfo(name)
            if content is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif isinstance(content, str):
                info.type, info.linkname = tarfile.SYMTYPE, content[2:]
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def save_archive(layers, history, oci=False, with_config=True):
    """(archive bytes, image ID, diff IDs) of an image made of LAYERS (tars)
    whose config has HISTORY, as `docker save` writes it."""
    diff_ids = [digest(layer) for layer in layers]
    config = json.dumps({"rootfs": {"type": "layers", "diff_ids": diff_ids},
                         "history": history}).encode()
    image_id = digest(config)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        names = []
        for n, (layer, d) in enumerate(zip(layers, diff_ids)):
            name = f"blobs/sha256/{d[7:]}" if oci else f"{n:064x}/layer.tar"
            _add(tar, name, layer)
            names.append(name)
        if with_config:
            _add(tar, f"blobs/sha256/{image_id[7:]}" if oci else f"{image_id[7:]}.json", config)
        _add(tar, "manifest.json", json.dumps([{"Layers": names}]).encode())
    return buffer.getvalue(), image_id, diff_ids


class SavedStream(io.BytesIO):
    @property
    def bytes_read(self):
        return self.tell()


class FakeEngine:
    """The engine's answers for images kept in memory; counts what it was asked."""

    def __init__(self):
        self.images, self.histories, self.archives = {}, {}, {}
        self.saves = 0

    def add(self, name, archive, image_id, diff_ids, history, size=1000, created=100,
            binary="/bin/app"):
        image = Image(image_id, size, diff_ids, created, binary)
        self.images[name] = self.images[image_id] = image
        self.histories[image_id] = history
        self.archives[image_id] = archive
        return image

    def image(self, name):
        return self.images.get(name)

    def history(self, image_id):
        return self.histories[image_id]

    def save(self, image_id):
        self.saves += 1
        return SavedStream(self.archives[image_id])


def sample_image(engine, name="sample:v1", extra=b"", oci=False):
    """An image of two layers and three instructions (one only sets metadata)."""
    base = layer_tar({"usr": None, "usr/bin": None, "usr/bin/tool": b"x" * 3000 + extra,
                      "usr/lib/x86_64-linux-gnu/libz.so.1": b"z" * 500,
                      "usr/lib/x86_64-linux-gnu/libz.a": b"a" * 700,
                      "usr/bin/link": "->tool"})
    app = layer_tar({"usr/bin/.wh.link": b"", "app/run": b"run" * 100})
    history = [{"created_by": "", "comment": "imported"},
               {"created_by": "ENV A=1", "empty_layer": True},
               {"created_by": "/bin/sh -c make", "comment": ""}]
    archive, image_id, diff_ids = save_archive([base, app], history, oci=oci)
    engine_history = [{"size": len(base), "created_by": "", "comment": "imported"},
                      {"size": 0, "created_by": "ENV A=1", "comment": ""},
                      {"size": len(app), "created_by": "/bin/sh -c make", "comment": ""}]
    return engine.add(name, archive, image_id, diff_ids, engine_history)
