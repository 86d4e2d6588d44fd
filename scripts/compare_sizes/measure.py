"""One image's sizes: uncompressed from the engine, compressed per layer (the
blob's own size where the containerd store holds it compressed, else gzip's
estimate; read once from `docker save`, then cached), and its layers with the
instruction that made each."""
import re
import time
from collections.abc import Sequence
from typing import Any, TypedDict

from . import archive, cache as cache_mod, gzsize
from .cache import Cache
from .engine import CONTAINERD, EngineAPI, Image
from .out import Fatal, Progress, info
from .report import ImageRecord, Layer
from .units import human_bytes

# A history entry: created_by, comment, empty_layer (and the engine's size).
Entry = dict[str, Any]

# Instructions that only set metadata make no layer (with the classic
# builder's "/bin/sh -c #(nop)" prefix or without it).
_METADATA = re.compile(r"(/bin/sh -c #\(nop\) +)?(ENV|LABEL|ARG|EXPOSE|ENTRYPOINT|CMD|USER|"
                       r"VOLUME|STOPSIGNAL|HEALTHCHECK|SHELL|ONBUILD|MAINTAINER)\b")


def history_from_engine(history: Sequence[Entry], layers: int) -> list[Entry] | None:
    """The config's history guessed from the engine's, or None when the guess
    does not give one instruction per layer (then docker save must tell)."""
    guess = [{"created_by": h["created_by"], "comment": h["comment"],
              "empty_layer": h["size"] == 0 and bool(_METADATA.match(h["created_by"]))}
             for h in history]
    return guess if sum(not h["empty_layer"] for h in guess) == layers else None


def history_from_config(config: dict[str, Any]) -> list[Entry]:
    return [{"created_by": h.get("created_by") or "", "comment": h.get("comment") or "",
             "empty_layer": bool(h.get("empty_layer"))} for h in config.get("history") or []]


def instruction(entry: Entry) -> str:
    """The Dockerfile line behind a history entry, as people write it."""
    if entry["created_by"] == "":
        return "(imported) " + str(entry["comment"])
    text = re.sub(r"^/bin/sh -c #\(nop\) +", "", str(entry["created_by"]), count=1)
    return re.sub(r"^/bin/sh -c ", "RUN ", text, count=1)


def kind(entry: Entry) -> str:
    """The instruction's keyword (ENV, CMD...), or "other" when it has none."""
    words = instruction(entry).split(maxsplit=1)
    return words[0] if words and re.fullmatch(r"[A-Z]+", words[0]) else "other"


def version_of(name: str) -> str:
    return name.rsplit(":", 1)[1] if re.search(r":[^/:]+$", name) else "latest"


GZIP, CONTENT_STORE = "gzip", "content store"


def compressed_by(layers: Sequence[Layer]) -> str:
    """The image's label: its layers' one source, or both named."""
    return " and ".join(sorted({layer["compressed_by"] for layer in layers})) or GZIP


def image_record(name: str, image: Image, config_history: Sequence[Entry], cache: Cache,
                 store: str = "overlay2", listed: int | None = None,
                 content: Sequence[int | None] = (), content_bytes: int | None = None) -> ImageRecord:
    """The image's entry in the report's images[]. A layer's uncompressed
    size is counted from its tar as the classic store counts it, so that
    both stores give the same; so is the image's on the containerd store,
    whose inspect counts disk blocks. CONTENT: per layer, its compressed
    blob's size in the content store (None: not held compressed);
    CONTENT_BYTES all the content held for the image there."""
    made_layers = [k for k, h in enumerate(config_history) if not h["empty_layer"]]
    layers: list[Layer] = []
    estimated = 0
    for n, digest in enumerate(image.diff_ids):
        k = made_layers[n] if n < len(made_layers) else None
        sizes = cache.layer_sizes(digest)
        blob = content[n] if n < len(content) else None
        estimated += sizes["compressed_bytes"]
        layers.append({
            "digest": digest,
            "instruction": instruction(config_history[k]) if k is not None else "",
            "size_bytes": sizes["unpacked_bytes"],
            "compressed_bytes": sizes["compressed_bytes"] if blob is None else blob,
            "compressed_by": GZIP if blob is None else CONTENT_STORE})
    unpacked = sum(layer["size_bytes"] or 0 for layer in layers)
    return {"version": version_of(name), "name": name, "id": image.id,
            "size_bytes": unpacked if store == CONTAINERD else image.size,
            "compressed_bytes": sum(layer["compressed_bytes"] for layer in layers),
            "estimated_compressed_bytes": estimated,
            "listed_bytes": listed,
            "content_bytes": content_bytes,
            "compressed_by": compressed_by(layers),
            "layers": layers,
            "metadata_only": sum(h["empty_layer"] for h in config_history),
            "metadata_kinds": [kind(h) for h in config_history if h["empty_layer"]]}


class Content(TypedDict):
    """What the containerd store holds of an image, as docker save lists it."""
    layers: list[int | None]    # per layer, its compressed blob's size (None: held as a tar)
    content_bytes: int | None   # its manifest, config and layer blobs


def read_save(engine: EngineAPI, cache: Cache, pool: gzsize.Pool, name: str,
              image: Image) -> tuple[list[Entry], Content]:
    """Measure what the cache lacks in one or two passes over docker save;
    returns the image config's history and what the store holds of it."""
    def one_pass(skip_by_size: bool) -> archive.Walk:
        stream = engine.save(image.id)
        with Progress(name, lambda: f"read so far {human_bytes(stream.bytes_read)}"):
            return archive.Walk(image.id, image.diff_ids, cache, pool, skip_by_size).read(stream)

    walk = one_pass(True)
    if walk.mismatched:
        info(f"{name}: a layer was not the one its size suggested; reading the image again")
        walk = one_pass(False)
    if not all(cache.has_layer(d) for d in image.diff_ids):
        raise Fatal(f"{name}: a layer was missing from the docker save stream")
    return (history_from_config(walk.config or {}),
            {"layers": walk.content_sizes, "content_bytes": walk.content_bytes})


def measure(engine: EngineAPI, cache: Cache, pool: gzsize.Pool, name: str,
            store: str = "overlay2") -> ImageRecord:
    """The images[] entry of the image NAME, measuring what the cache lacks."""
    # One inspect, and the ID from then on: a rebuild under way cannot mix
    # two images into one measurement.
    image = engine.image(name)
    if image is None:
        raise Fatal(f"image {name} is gone (removed while being measured?)")
    history_path = cache.image_path(image.id, "history")
    content_path = cache.image_path(image.id, "content")
    config_history: list[Entry] | None = cache_mod.load(history_path)
    # Only the containerd store keeps compressed blobs, which docker save lists.
    content: Content | None = (cache_mod.load(content_path) if store == CONTAINERD else
                               {"layers": [], "content_bytes": None})
    if not isinstance(content, dict) or "content_bytes" not in content:
        content = None          # not kept yet, or by an older compare-sizes
    missing = sum(not cache.has_layer(d) for d in image.diff_ids)
    if not missing and config_history is None and content is not None:
        config_history = history_from_engine(engine.history(image.id), len(image.diff_ids))
        if config_history is not None:
            cache_mod.store(history_path, config_history)
    if missing or config_history is None or content is None:
        if missing:
            info(f"{name}: compressing {missing} of {len(image.diff_ids)} layers "
                 f"({pool.describe()}; once per layer, then cached)")
        else:
            info(f"{name}: reading its {'history' if config_history is None else 'blob sizes'} "
                 "from docker save (layers already measured)")
        started = time.monotonic()
        config_history, content = read_save(engine, cache, pool, name, image)
        cache_mod.store(history_path, config_history)
        if store == CONTAINERD:
            cache_mod.store(content_path, content)
        info(f"{name}: measured in {int(time.monotonic() - started)} s")
    return image_record(name, image, config_history, cache, store, engine.listed_size(image.id),
                        content["layers"], content["content_bytes"])
