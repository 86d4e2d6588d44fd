"""The Docker engine, through its API (the Docker SDK for Python): images,
their history, `docker save` streams and short-lived containers."""
import collections
import datetime
import re

from .out import Fatal
from .stream import ChunkReader

Image = collections.namedtuple("Image", "id size diff_ids created binary")

NO_ENGINE = "no Docker engine answers (start one with: scripts/setup.sh docker)"


def created_epoch(text):
    """The engine's RFC 3339 time (nanoseconds, Z or an offset) in whole seconds."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)", text)
    if not m:
        raise Fatal(f"the engine gave a time I cannot read: {text}")
    zone = "+00:00" if m.group(2) == "Z" else m.group(2)
    return int(datetime.datetime.fromisoformat(m.group(1) + zone).timestamp())


def entry_binary(config):
    """The program a container of the image runs: its entrypoint, else its command."""
    for key in ("Entrypoint", "Cmd"):
        if (config or {}).get(key):
            return config[key][0]
    return ""


class Engine:
    """The images and containers of one engine (DOCKER_HOST or the local socket)."""

    def __init__(self):
        try:
            import docker
        except ImportError:
            raise Fatal("python3-docker is not installed (run: scripts/setup.sh images)") from None
        self._errors = docker.errors
        try:
            # "auto": the engine's own API version, so a newer engine
            # saves images in the OCI layout.
            self.api = docker.APIClient(version="auto", timeout=600,
                                        **docker.utils.kwargs_from_env())
        except docker.errors.DockerException:
            raise Fatal(NO_ENGINE) from None

    def image(self, name):
        """The Image called NAME (a name or an ID), or None when there is none."""
        try:
            d = self.api.inspect_image(name)
        except self._errors.ImageNotFound:
            return None
        except self._errors.APIError as e:
            raise Fatal(f"inspecting {name}: {e.explanation}") from None
        return Image(d["Id"], d["Size"], list(d.get("RootFS", {}).get("Layers") or []),
                     created_epoch(d["Created"]), entry_binary(d.get("Config")))

    def history(self, image_id):
        """Every instruction that made the image, oldest first: size, created_by, comment."""
        rows = self.api.history(image_id)
        return [{"size": r.get("Size", 0), "created_by": r.get("CreatedBy") or "",
                 "comment": r.get("Comment") or ""} for r in reversed(rows)]

    def save(self, image_id):
        """The image as `docker save` streams it."""
        return ChunkReader(self.api.get_image(image_id))

    def run(self, image_id, entrypoint, args, user=""):
        """Run a throw-away container without network: (exit status, stdout, stderr)."""
        try:
            box = self.api.create_container(
                image_id, command=args, entrypoint=entrypoint, user=user,
                host_config=self.api.create_host_config(network_mode="none"))
        except self._errors.APIError as e:
            return 125, b"", str(e.explanation)
        try:
            self.api.start(box)
            status = self.api.wait(box)["StatusCode"]
            out = self.api.logs(box, stdout=True, stderr=False)
            err = self.api.logs(box, stdout=False, stderr=True)
            return status, out, err.decode(errors="replace")
        except self._errors.APIError as e:
            return 126, b"", str(e.explanation)
        finally:
            try:
                self.api.remove_container(box, force=True)
            except self._errors.APIError:
                pass
