"""Small images made in the test: layer tars, `docker save` archives in both
layouts, and a stand-in for the engine that serves them."""
import gzip
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

    def __init__(self, store="overlay2"):
        self.images, self.histories, self.archives = {}, {}, {}
        self.saves = 0
        self.kind = store
        self.listed = {}

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

    def store(self):
        return self.kind

    def listed_size(self, image_id):
        return self.listed.get(image_id, self.images[image_id].size)


# The containerd store's blobs are gzipped at another level than compare-sizes'
# estimate (-6), so that a test tells the blob's own size from the estimate.
BLOB_LEVEL = 1


def sample_layers(extra=b""):
    """The two layer tars of sample_image."""
    base = layer_tar({"usr": None, "usr/bin": None, "usr/bin/tool": b"x" * 3000 + extra,
                      "usr/lib/x86_64-linux-gnu/libz.so.1": b"z" * 500,
                      "usr/lib/x86_64-linux-gnu/libz.a": b"a" * 700,
                      "usr/bin/link": "->tool"})
    app = layer_tar({"usr/bin/.wh.link": b"", "app/run": b"run" * 100})
    return base, app


def sample_image(engine, name="sample:v1", extra=b"", oci=False, containerd=False,
                 blob_level=BLOB_LEVEL):
    """An image of two layers and three instructions (one only sets metadata),
    saved as the classic store does (OCI=True: in the OCI layout) or as the
    containerd store does (CONTAINERD=True, its blobs gzipped at BLOB_LEVEL)."""
    base, app = sample_layers(extra)
    history = [{"created_by": "", "comment": "imported"},
               {"created_by": "ENV A=1", "empty_layer": True},
               {"created_by": "/bin/sh -c make", "comment": ""}]
    if containerd:
        archive, image_id, diff_ids = containerd_archive(
            [base, app], history, compress=lambda data: gzip.compress(data, blob_level, mtime=0))
    else:
        archive, image_id, diff_ids = save_archive([base, app], history, oci=oci)
    # What overlay2's docker history shows: the files' bytes, and the link's target.
    engine_history = [{"size": 3000 + len(extra) + 500 + 700 + len("tool"), "created_by": "",
                       "comment": "imported"},
                      {"size": 0, "created_by": "ENV A=1", "comment": ""},
                      {"size": 300, "created_by": "/bin/sh -c make", "comment": ""}]
    return engine.add(name, archive, image_id, diff_ids, engine_history)


def _blob(blobs, data):
    d = digest(data)
    blobs[d] = data
    return d


def containerd_archive(layers, history, platforms=(("linux", "amd64"),), other_layers=None,
                       attestation=True, compress=None, manifest_order=None):
    """(archive bytes, image ID, diff IDs) of LAYERS (tars) as Docker's
    containerd image store saves an image buildx built: the layers compressed
    (COMPRESS: a function, gzip by default) and named by that digest, a config
    and a manifest per platform (the first platform's are LAYERS; the others'
    OTHER_LAYERS), an attestation manifest per platform, an index naming them
    all, and index.json naming the index, whose digest is the image ID.
    MANIFEST_ORDER reorders the first manifest's layers (a broken manifest)."""
    compress = compress or (lambda data: gzip.compress(data, BLOB_LEVEL, mtime=0))
    blobs = {}
    descriptors = []
    first_diff_ids = None
    for n, (os_name, arch) in enumerate(platforms):
        these = layers if n == 0 else (other_layers or [layer_tar({f"other{n}": b"o" * 50})])
        diff_ids = [digest(layer) for layer in these]
        first_diff_ids = first_diff_ids or diff_ids
        config = json.dumps({"architecture": arch, "os": os_name, "history": history,
                             "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
        layer_descriptors = [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                              "digest": _blob(blobs, compress(layer)), "size": 0} for layer in these]
        if n == 0 and manifest_order:
            layer_descriptors = [layer_descriptors[k] for k in manifest_order]
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                          "digest": _blob(blobs, config), "size": len(config)},
                               "layers": layer_descriptors}).encode()
        manifest_digest = _blob(blobs, manifest)
        descriptors.append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                            "digest": manifest_digest, "size": len(manifest),
                            "platform": {"architecture": arch, "os": os_name}})
        if attestation:
            statement = json.dumps({"_type": "https://in-toto.io/Statement/v0.1",
                                    "predicateType": "https://slsa.dev/provenance/v0.2"}).encode()
            empty = json.dumps({"architecture": "unknown", "os": "unknown", "config": {},
                                "rootfs": {"type": "layers", "diff_ids": [digest(statement)]}}).encode()
            proof = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                           "digest": _blob(blobs, empty), "size": len(empty)},
                                "layers": [{"mediaType": "application/vnd.in-toto+json",
                                            "digest": _blob(blobs, statement), "size": len(statement)}]}).encode()
            descriptors.append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                                "digest": _blob(blobs, proof), "size": len(proof),
                                "platform": {"architecture": "unknown", "os": "unknown"},
                                "annotations": {"vnd.docker.reference.digest": manifest_digest,
                                                "vnd.docker.reference.type": "attestation-manifest"}})
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": descriptors}).encode()
    image_id = _blob(blobs, index)
    top = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": image_id, "size": len(index),
         "annotations": {"io.containerd.image.name": "docker.io/library/sample:v1"}}]}).encode()
    buffer = io.BytesIO()
    # containerd's exporter writes its records sorted by name: the blobs
    # first, index.json and manifest.json at the end.
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for d in sorted(blobs):
            _add(tar, f"blobs/sha256/{d[7:]}", blobs[d])
        _add(tar, "index.json", top)
        _add(tar, "manifest.json", json.dumps([{"Config": "blobs/sha256/x", "Layers": []}]).encode())
        _add(tar, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
    return buffer.getvalue(), image_id, first_diff_ids


def content_bytes(archive, image_id):
    """What the containerd store holds of the image saved as ARCHIVE (by
    containerd_archive): its first platform's manifest, config and layers,
    read back from the archive's blobs."""
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        sizes = {"sha256:" + m.name.rsplit("/", 1)[1]: m.size for m in tar if m.name.startswith("blobs/")}
        index = json.loads(tar.extractfile("blobs/sha256/" + image_id[7:]).read())
        digest = index["manifests"][0]["digest"]
        manifest = json.loads(tar.extractfile("blobs/sha256/" + digest[7:]).read())
    parts = [digest, manifest["config"]["digest"]] + [layer["digest"] for layer in manifest["layers"]]
    return sum(sizes[d] for d in parts)
