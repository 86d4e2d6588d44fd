"""The Docker engine, through its API (the Docker SDK for Python): images,
their history and `docker save` streams."""
import datetime
import re
from collections.abc import Mapping
from typing import Any, NamedTuple, Protocol

from .out import Fatal
from .stream import ChunkReader


class Image(NamedTuple):
    id: str
    size: int
    diff_ids: list[str]
    created: int
    binary: str
    config: Mapping[str, Any] = {}  # its run-time settings: User, Entrypoint, Env...
    repo_digests: tuple[str, ...] = ()  # HOST/REPO@sha256:... of each push
    arch: str = ""


class SaveStream(Protocol):
    """A `docker save` stream: read() it once, front to back."""

    @property
    def bytes_read(self) -> int: ...

    def read(self, size: int = -1) -> bytes: ...


class EngineAPI(Protocol):
    """What the steps ask of an engine (Engine, or the unit tests' stand-in)."""

    def image(self, name: str) -> Image | None: ...

    def history(self, image_id: str) -> list[dict[str, Any]]: ...

    def save(self, image_id: str) -> SaveStream: ...

    def store(self) -> str: ...

    def listed_size(self, image_id: str) -> int | None: ...


CONTAINERD = "containerd"


def store_of(info: Mapping[str, Any]) -> str:
    """"containerd" for Docker's containerd image store (its driver-type is a
    containerd snapshotter), else the storage driver's name (overlay2)."""
    status = {str(row[0]): str(row[1]) for row in info.get("DriverStatus") or [] if len(row) == 2}
    if status.get("driver-type", "").startswith("io.containerd.snapshotter"):
        return CONTAINERD
    return str(info.get("Driver") or "unknown")


DEFAULT_HOST = "unix:///var/run/docker.sock"

# An image reference as docker reads one: [HOST[:PORT]/]NAME[:TAG][@DIGEST],
# or an image ID (its hex digits, whole or a prefix, with or without sha256:).
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9-]+)*(?::[0-9]+)?/)"
REFERENCE = re.compile(rf"(?:{_DOMAIN}?{_COMPONENT}(?:/{_COMPONENT})*"
                       r"(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?"
                       r"|(?:sha256:)?[0-9a-f]{1,64})")


def is_reference(text: str) -> bool:
    """True when TEXT may name an image: a reference, or an image ID."""
    return len(text) <= 255 and REFERENCE.fullmatch(text) is not None


def no_engine(host: str | None, error: BaseException) -> str:
    """One line for an engine that cannot be reached: which host, and why.
    HOST is DOCKER_HOST (None or empty: the local socket)."""
    cause: BaseException | None = error
    why = str(error)
    while cause is not None:            # the innermost OS error says it best
        if isinstance(cause, OSError) and cause.strerror:
            why = cause.strerror
        cause = cause.__cause__ or cause.__context__
    if why.startswith("Invalid bind address"):
        return f"DOCKER_HOST={host} is not an address of a Docker engine ({why})"
    if not host:
        return f"no Docker engine answers at {DEFAULT_HOST}: {why} (start one with: scripts/setup.sh docker)"
    return f"the Docker engine at DOCKER_HOST={host} does not answer: {why}"
NO_SDK = "python3-docker is not installed (run: scripts/setup.sh images)"


def created_epoch(text: str) -> int:
    """The engine's RFC 3339 time (nanoseconds, Z or an offset) in whole seconds."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)", text)
    if not m:
        raise Fatal(f"the engine gave a time I cannot read: {text}")
    zone = "+00:00" if m.group(2) == "Z" else m.group(2)
    return int(datetime.datetime.fromisoformat(m.group(1) + zone).timestamp())


def entry_binary(config: dict[str, Any] | None) -> str:
    """The program a container of the image runs: its entrypoint, else its command."""
    for key in ("Entrypoint", "Cmd"):
        if config and config.get(key):
            return str(config[key][0])
    return ""


class Engine:
    """The images of one engine (DOCKER_HOST in ENVIRON, or the
    local socket). The SDK's own errors (docker.errors.DockerException) reach
    the caller."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        try:
            import docker
        except ImportError:
            raise Fatal(NO_SDK) from None
        self._errors = docker.errors
        try:
            # "auto": the engine's own API version, so a newer engine
            # saves images in the OCI layout.
            self.api = docker.APIClient(version="auto", timeout=600,
                                        **docker.utils.kwargs_from_env(environment=environ))
        except docker.errors.DockerException as e:
            raise Fatal(no_engine(environ.get("DOCKER_HOST"), e)) from None

    def image(self, name: str) -> Image | None:
        """The Image called NAME (a name or an ID), or None when there is none."""
        try:
            d = self.api.inspect_image(name)
        except self._errors.ImageNotFound:
            return None
        except self._errors.APIError as e:
            raise Fatal(f"inspecting {name}: {e.explanation}") from None
        return Image(d["Id"], d["Size"], list(d.get("RootFS", {}).get("Layers") or []),
                     created_epoch(d["Created"]), entry_binary(d.get("Config")), d.get("Config") or {},
                     tuple(d.get("RepoDigests") or ()), d.get("Architecture") or "")

    def history(self, image_id: str) -> list[dict[str, Any]]:
        """Every instruction that made the image, oldest first: size, created_by, comment."""
        rows = self.api.history(image_id)
        return [{"size": r.get("Size", 0), "created_by": r.get("CreatedBy") or "",
                 "comment": r.get("Comment") or ""} for r in reversed(rows)]

    def save(self, image_id: str) -> ChunkReader:
        """The image as `docker save` streams it."""
        return ChunkReader(self.api.get_image(image_id))

    def store(self) -> str:
        """Which image store the engine uses: "containerd" or a storage driver."""
        return store_of(self.api.info())

    def listed_size(self, image_id: str) -> int | None:
        """The size `docker images` shows for IMAGE_ID (None: not listed).
        On the containerd store it is not inspect's: the content (the
        compressed blobs) and the unpacked snapshots together."""
        for row in self.api.images():
            if row.get("Id") == image_id:
                return int(row.get("Size") or 0)
        return None
