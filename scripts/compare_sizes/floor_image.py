"""--run-floor: the floor built as an image of its own and run, to show that
it is enough. The image is FROM scratch plus the binary, its interpreter and
libraries, the links passed on the way to them, and /etc/passwd and
/etc/group when the image names its user. The files are copied out of a
container of the image that is created and never started, so an image with
no shell works too. The floor then runs as a server would in a pod:
read-only, as a user that is not root, with no capabilities; it passes when
GET / on its exposed port answers 2xx or 3xx."""
import io
import posixpath
import re
import tarfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from .report import FloorRun

WAIT_SECONDS = 30           # for the floor's server to answer
NOBODY = "65534:65534"      # who runs it when the image runs as root


class API(Protocol):
    """What this step asks of docker.APIClient."""

    def create_container(self, image: str, **kwargs: Any) -> dict[str, Any]: ...
    def get_archive(self, container: str, path: str) -> tuple[Iterable[bytes], dict[str, Any]]: ...
    def remove_container(self, container: str, force: bool = False) -> None: ...
    def import_image_from_data(self, data: bytes, repository: str, tag: str,
                               changes: list[str]) -> str: ...
    def inspect_image(self, image: str) -> dict[str, Any]: ...
    def create_host_config(self, **kwargs: Any) -> dict[str, Any]: ...
    def start(self, container: str) -> None: ...
    def inspect_container(self, container: str) -> dict[str, Any]: ...
    def logs(self, container: str, tail: int) -> bytes: ...


def name_for(image: str) -> tuple[str, str]:
    """(repository, tag) of the floor image of IMAGE: askeladden:v0.2 gives
    askeladden-floor:v0.2; an image ID gives compare-sizes-floor:ID12."""
    image = image.split("@", 1)[0]
    if re.fullmatch(r"(sha256:)?[0-9a-f]{1,64}", image):
        return "compare-sizes-floor", image.split(":")[-1][:12]
    slash = image.rfind("/")
    repository, _, tag = image.rpartition(":") if image.rfind(":") > slash else (image, "", "")
    return repository + "-floor", tag or "latest"


def user_is_named(config: Mapping[str, Any]) -> bool:
    user = str(config.get("User") or "").split(":")[0]
    return bool(user) and not user.isdigit()


def run_user(config: Mapping[str, Any]) -> str:
    """The image's own user, unless that is root: then nobody's uid and gid."""
    user = str(config.get("User") or "")
    return NOBODY if user.split(":")[0] in ("", "0", "root") else user


def port(config: Mapping[str, Any]) -> int | None:
    """The lowest TCP port the image exposes, or None."""
    ports = [int(p.split("/")[0]) for p in config.get("ExposedPorts") or {}
             if p.endswith("/tcp") or "/" not in p]
    return min(ports) if ports else None


def changes(config: Mapping[str, Any]) -> list[str]:
    """The image's run-time settings, as `docker import --change` lines."""
    lines = []
    for key, word in (("Entrypoint", "ENTRYPOINT"), ("Cmd", "CMD")):
        if config.get(key):
            lines.append(word + " [" + ", ".join(_quoted(a) for a in config[key]) + "]")
    lines += [f"ENV {e.split('=', 1)[0]}={_quoted(e.split('=', 1)[1])}"
              for e in config.get("Env") or [] if "=" in e]
    lines += [f"EXPOSE {p}" for p in sorted(config.get("ExposedPorts") or {})]
    for key, word in (("User", "USER"), ("WorkingDir", "WORKDIR"), ("StopSignal", "STOPSIGNAL")):
        if config.get(key):
            lines.append(f"{word} {config[key]}")
    return lines


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def assemble(entries: Iterable[tuple[str, tarfile.TarInfo, bytes]]) -> bytes:
    """One tar of (PATH, its entry as `docker cp` gave it, its bytes), each
    under its full path, with the directories above them."""
    buffer = io.BytesIO()
    made = {"/"}
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path, info, data in entries:
            for parent in _parents(path):
                if parent not in made:
                    made.add(parent)
                    d = tarfile.TarInfo(parent.lstrip("/"))
                    d.type, d.mode = tarfile.DIRTYPE, 0o755
                    tar.addfile(d)
            info.name = path.lstrip("/")
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
            made.add(path)
    return buffer.getvalue()


def _parents(path: str) -> list[str]:
    parents = []
    while (path := posixpath.dirname(path)) != "/":
        parents.append(path)
    return parents[::-1]


def copy_out(api: API, image_id: str, paths: Iterable[str]) -> list[tuple[str, tarfile.TarInfo, bytes]]:
    """Each path's entry, read from a container of the image that never starts."""
    container = api.create_container(image_id, entrypoint=["/floor-is-never-started"], command=[])["Id"]
    found = []
    try:
        for path in paths:
            chunks, _ = api.get_archive(container, path)
            with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as tar:
                info = tar.next()
                if info is None:
                    continue
                handle = tar.extractfile(info) if info.isreg() else None
                found.append((path, info, handle.read() if handle else b""))
    finally:
        api.remove_container(container, force=True)
    return found


def build(api: API, image_id: str, name: str, paths: list[str],
          config: Mapping[str, Any]) -> str:
    """The floor image's ID, tagged NAME (a floor image of an earlier run is
    replaced)."""
    wanted = paths + (["/etc/passwd", "/etc/group"] if user_is_named(config) else [])
    repository, tag = name.rsplit(":", 1)
    api.import_image_from_data(assemble(copy_out(api, image_id, wanted)),
                               repository=repository, tag=tag, changes=changes(config))
    return str(api.inspect_image(name)["Id"])


def get(url: str) -> int | None:
    """The HTTP status of GET URL, or None when nothing answers yet."""
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as e:
        return int(e.code)
    except (urllib.error.URLError, OSError):
        return None


def run(api: API, name: str, config: Mapping[str, Any]) -> FloorRun:
    """Run the floor image NAME read-only, as a user that is not root, with
    no capabilities, and ask its server for /."""
    size = int(api.inspect_image(name)["Size"])
    user, exposed = run_user(config), port(config)
    result: FloorRun = {"image": name, "size_bytes": size, "user": user, "port": exposed,
                        "status": None, "answered": False, "why": ""}
    if exposed is None:
        result["why"] = "it exposes no port: not run"
        return result
    host = api.create_host_config(read_only=True, cap_drop=["ALL"],
                                  security_opt=["no-new-privileges"],
                                  port_bindings={exposed: ("127.0.0.1", None)})
    container = api.create_container(name, user=user, ports=[exposed], host_config=host)["Id"]
    try:
        api.start(container)
        result["status"], result["why"] = _ask(api, container, exposed)
        result["answered"] = result["why"] == ""
    finally:
        api.remove_container(container, force=True)
    return result


def _ask(api: API, container: str, exposed: int) -> tuple[int | None, str]:
    """(the status of GET /, why it does not serve: "" when it does)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        state = api.inspect_container(container)
        if not state["State"]["Running"]:
            return None, (f"it exited with status {state['State']['ExitCode']}: "
                          + _last_line(api, container))
        bound = state["NetworkSettings"]["Ports"].get(f"{exposed}/tcp") or []
        status = get(f"http://127.0.0.1:{bound[0]['HostPort']}/") if bound else None
        if status is not None:
            return status, "" if 200 <= status < 400 else f"GET / answered {status}"
        if time.monotonic() > deadline:
            return None, f"GET / got no answer in {WAIT_SECONDS} s: " + _last_line(api, container)
        time.sleep(0.2)     # polling a server that is starting: no event to wait on


def _last_line(api: API, container: str) -> str:
    lines = api.logs(container, tail=1).decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else "(it printed nothing)"
