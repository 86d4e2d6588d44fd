"""--registry HOST[:PORT]: each layer's compressed size as a registry stores
it, for an image pushed there (its RepoDigests name the host): exact, where
gzip's is an estimate. The registry's manifest lists the layers' blobs in
the order of the image's diff IDs, each with its size."""
import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any

from .out import Fatal

MANIFESTS = ("application/vnd.docker.distribution.manifest.v2+json",
             "application/vnd.oci.image.manifest.v1+json")
INDEXES = ("application/vnd.docker.distribution.manifest.list.v2+json",
           "application/vnd.oci.image.index.v1+json")
HOST = re.compile(r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9-]+)*|\[[0-9a-fA-F:]+\])"
                  r"(?::[0-9]{1,5})?")
MAX_MANIFEST = 4 << 20

Get = Callable[[str], tuple[str, bytes]]     # URL -> (content type, body)


class NotThere(Exception):
    """The registry has no usable manifest of this image (a warning: gzip's
    estimate stands in)."""


def check_host(host: str) -> str:
    if not HOST.fullmatch(host):
        raise ValueError(f"--registry wants HOST or HOST:PORT, not '{host}'")
    return host


def base_url(host: str) -> str:
    """Plain HTTP on loopback, as Docker pushes there; HTTPS elsewhere."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    plain = name in ("localhost", "[::1]") or name.startswith("127.")
    return f"{'http' if plain else 'https'}://{host}/v2/"


def fetch(url: str) -> tuple[str, bytes]:
    """GET URL with the manifest types as Accept; Fatal when nothing answers."""
    request = urllib.request.Request(url, headers={"Accept": ", ".join(MANIFESTS + INDEXES)})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.headers.get_content_type(), reply.read(MAX_MANIFEST)
    except urllib.error.HTTPError as e:
        if e.code == 401 and url.endswith("/v2/"):
            return "", b""
        if e.code == 404:
            raise NotThere("the registry has no such manifest") from None
        raise Fatal(f"the registry answered {e.code} {e.reason} for {url}") from None
    except (urllib.error.URLError, OSError) as e:
        why = getattr(e, "reason", e)
        raise Fatal(f"the registry at {url.split('/v2/')[0]} does not answer: {why}") from None


def ping(host: str, get: Get = fetch) -> None:
    """Fatal unless the registry at HOST answers (checked before any work);
    an answer that asks for credentials is an answer."""
    try:
        get(base_url(host))
    except NotThere:
        pass


def pushed_as(repo_digests: Sequence[str], host: str) -> tuple[str, str] | None:
    """(repository, manifest digest) of the image's push to HOST, or None."""
    for ref in repo_digests:
        name, _, digest = ref.partition("@")
        if name.startswith(host + "/") and digest:
            return name[len(host) + 1:], digest
    return None


def _platform_manifest(index: dict[str, Any], arch: str) -> str:
    for m in index.get("manifests", []):
        platform = m.get("platform") or {}
        if platform.get("os") == "linux" and platform.get("architecture") == arch:
            return str(m["digest"])
    raise NotThere(f"its index lists no linux/{arch} manifest")


def layer_sizes(host: str, repository: str, digest: str, image_id: str, arch: str,
                layers: int, get: Get = fetch) -> list[int]:
    """The compressed size of each of the image's LAYERS layers, oldest first."""
    url = f"{base_url(host)}{repository}/manifests/"
    kind, body = get(url + digest)
    manifest = json.loads(body)
    if kind in INDEXES or "manifests" in manifest:
        kind, body = get(url + _platform_manifest(manifest, arch))
        manifest = json.loads(body)
    config = (manifest.get("config") or {}).get("digest")
    if config != image_id and digest != image_id:
        raise NotThere(f"its manifest there describes another image ({config})")
    sizes = [int(layer["size"]) for layer in manifest.get("layers", [])]
    if len(sizes) != layers:
        raise NotThere(f"its manifest there lists {len(sizes)} layers, the image has {layers}")
    return sizes
