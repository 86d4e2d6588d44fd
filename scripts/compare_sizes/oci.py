"""Which config and which layer blobs of a `docker save` archive are the image's.

An engine with the classic store names the config after the image ID. Docker's
containerd image store saves what the image is in containerd: index.json
points to the image's index (buildx makes one), whose manifests are one per
platform plus an attestation manifest per platform (buildx's provenance),
each naming its config and its layer blobs. The image ID is the digest of the
index (or of a lone manifest), and inspect lists the diff IDs of this
machine's platform: the manifest whose config has exactly those is the one.
"""
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from .out import Fatal

# What buildx sets on an attestation manifest's descriptor in the index.
REFERENCE_TYPE = "vnd.docker.reference.type"
ATTESTATION = "attestation-manifest"


class Picked(NamedTuple):
    config: Any                 # the image config, a JSON object
    layer_blobs: list[str]      # the manifest's layer digests, in order; [] when none was read
    # The manifest's own digest and its config's: with the layers, the
    # content the store holds for this platform; () when none was read.
    meta_blobs: tuple[str, ...] = ()


def is_attestation(descriptor: Mapping[str, Any]) -> bool:
    """True for a descriptor of an attestation manifest, not of an image."""
    annotations = descriptor.get("annotations") or {}
    platform = descriptor.get("platform") or {}
    return (annotations.get(REFERENCE_TYPE) == ATTESTATION
            or (platform.get("os"), platform.get("architecture")) == ("unknown", "unknown"))


def _manifests(digest: str, blob: Any, blobs: Mapping[str, Any],
               depth: int = 0) -> Iterator[tuple[str, dict[str, Any]]]:
    """(digest, manifest) of every image manifest below BLOB (an index or a
    manifest, whose digest is DIGEST), attestations left out."""
    if not isinstance(blob, dict) or depth > 8:
        return
    if isinstance(blob.get("manifests"), list):
        for descriptor in blob["manifests"]:
            if isinstance(descriptor, dict) and not is_attestation(descriptor):
                found = str(descriptor.get("digest"))
                yield from _manifests(found, blobs.get(found), blobs, depth + 1)
    elif isinstance(blob.get("config"), dict) and isinstance(blob.get("layers"), list):
        yield digest, blob


def diff_ids(config: Any) -> list[str] | None:
    """A config's diff IDs, or None when BLOB is no image config."""
    if not isinstance(config, dict) or not isinstance(config.get("rootfs"), dict):
        return None
    ids = config["rootfs"].get("diff_ids")
    return [str(i) for i in ids] if isinstance(ids, list) else None


def pick(image_id: str, expected: Sequence[str], blobs: Mapping[str, Any],
         index: Any, docker_manifest: Any) -> Picked:
    """The image's config and layer blobs. BLOBS are the archive's JSON blobs
    by digest; INDEX is its index.json, DOCKER_MANIFEST its manifest.json
    (None when absent)."""
    top = blobs.get(image_id)
    if diff_ids(top) is not None:           # the classic store: the ID is the config's
        return Picked(top, [])
    roots = [(image_id, top)] if top is not None else []
    if isinstance(index, dict):
        roots.append(("index.json", index))
    seen: list[list[str]] = []
    for digest, root in roots:
        for found, manifest in _manifests(digest, root, blobs):
            config_digest = str(manifest["config"].get("digest"))
            config = blobs.get(config_digest)
            ids = diff_ids(config)
            if ids == list(expected):
                return Picked(config, [str(layer.get("digest")) for layer in manifest["layers"]],
                              (found, config_digest))
            if ids is not None:
                seen.append(ids)
    if isinstance(docker_manifest, list) and docker_manifest and isinstance(docker_manifest[0], dict):
        name = str(docker_manifest[0].get("Config", ""))
        config = blobs.get("sha256:" + name.rsplit("/", 1)[-1].removesuffix(".json"))
        if diff_ids(config) == list(expected):
            return Picked(config, [])
    if seen:
        raise Fatal(f"docker save gave {len(seen)} image {'config' if len(seen) == 1 else 'configs'}, "
                    "none with the layers the engine lists for this machine's platform")
    raise Fatal("docker save did not include the image config")
