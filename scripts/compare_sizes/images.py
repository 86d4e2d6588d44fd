"""Step 1: the two images are there, and ours (askeladden:v0.X) are not older
than what they are built from; `make images` builds them when they are."""
import os
import re
import subprocess
import time
from collections.abc import Sequence

from . import out
from .cache import Cache
from .engine import CONTAINERD, EngineAPI
from .out import Fatal, Progress, info, warn
from .units import human_bytes

BUILD_OUTPUTS = (".o", ".a")


def snapshot_dir(root: str, image: str) -> str | None:
    """The snapshot directory IMAGE is built from, or None when it is not ours."""
    if not image.startswith("askeladden:v"):
        return None
    directory = os.path.join(root, image.split(":", 1)[1])
    return directory if os.path.isfile(os.path.join(directory, "Dockerfile")) else None


def newest_source(directory: str) -> float | None:
    """The newest modification time in a build context, without the host's
    build outputs (see its .dockerignore)."""
    newest: float | None = None
    for top, dirs, files in os.walk(directory):
        if top == directory:
            dirs[:] = [d for d in dirs if d != "build"]
        for name in files:
            if (top == directory and name == "askeladden") or name.endswith(BUILD_OUTPUTS):
                continue
            mtime = os.lstat(os.path.join(top, name)).st_mtime
            newest = mtime if newest is None else max(newest, mtime)
    return newest


def base_images(dockerfile: str) -> list[str]:
    """The images a Dockerfile's stages start FROM (build arguments left out)."""
    with open(dockerfile, encoding="utf-8") as f:
        words = [line.split() for line in f]
    return sorted({w[1] for w in words if len(w) > 1 and w[0].upper() == "FROM"
                   and not w[1].startswith("$")})


def build_reason(engine: EngineAPI, cache: Cache, image: str, directory: str) -> str | None:
    """Why IMAGE must be (re)built, or None when it is up to date."""
    found = engine.image(image)
    if found is None:
        return "missing"
    built = found.created
    # A build that changed nothing keeps the image's old creation time: the
    # stamp says when compare-sizes last had it built here.
    stamp = cache.stamp_path(image)
    if os.path.exists(stamp):
        built = max(built, int(os.stat(stamp).st_mtime))
    newest = newest_source(directory)
    if newest is not None and int(newest) > built:
        return "older than its sources"
    for base in base_images(os.path.join(directory, "Dockerfile")):
        found_base = engine.image(base)
        if found_base is not None and found_base.created > built:
            return f"older than its base image {base}"
    return None


def _last_line(path: str) -> str:
    with open(path, errors="replace") as f:
        lines = f.read().splitlines()
    return lines[-1] if lines else ""


# What base-images.sh did (pulled, found, or built a local stand-in), from its log.
_BASE_NEWS = re.compile(r"^ok  .*(present locally|pulled|stand-in built)|building a local stand-in")


def make_images(engine: EngineAPI, cache: Cache, root: str, state: str,
                images: Sequence[str]) -> None:
    """Run make images, with a progress line every 30 s and its output in a log.
    On a fresh machine this installs Docker and builds the base images first."""
    log = os.path.join(state, "compare-sizes-make-images.log")
    info(f"running make images (log: {log})")
    started = int(time.time())
    with open(log, "w") as f:
        proc = subprocess.Popen(["make", "--no-print-directory", "-C", root, "images"],
                                stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT)
    with Progress("make images", lambda: _last_line(log)[:100]) as clock:
        status = proc.wait()
    if status != 0:
        raise Fatal(f"make images failed after {clock.elapsed()} s: {_last_line(log)} (log: {log})")
    info(f"make images: done in {clock.elapsed()} s")
    with open(log, errors="replace") as f:
        for line in f:
            if _BASE_NEWS.search(line):
                line = re.sub(r"^(==> |ok  |    )", "", line.rstrip("\n"))
                info(re.sub(r" \(this happens once.*$", "", line))
    for image in images:
        if engine.image(image) is None:
            raise Fatal(f"make images did not produce {image}")
        stamp = cache.stamp_path(image)
        open(stamp, "a").close()
        os.utime(stamp, (started, started))


def _needs_build(engine: EngineAPI, cache: Cache, root: str, image: str, build: bool) -> bool:
    """True when IMAGE is ours and must be built; fails when it cannot be had."""
    directory = snapshot_dir(root, image)
    if directory is None:
        if engine.image(image) is None:
            raise Fatal(f"image {image} not found locally (only askeladden:v0.X images are built here)")
        return False
    reason = build_reason(engine, cache, image, directory)
    if reason is None:
        return False
    if not build:
        if reason == "missing":
            raise Fatal(f"{image} is missing, and --no-build was given")
        warn(f"{image} is {reason}; measuring it as it is (--no-build)")
        return False
    info(f"{image}: {reason}, building it")
    return True


def ensure(engine: EngineAPI, cache: Cache, root: str, state: str,
           images: Sequence[str], build: bool, store: str = "overlay2") -> None:
    """Step 1: both images present (and ours up to date, unless BUILD is false).
    On the containerd STORE, inspect's size is the content's, compressed as
    pulled: not said here."""
    out.step(f"1/4 images: {images[0]} and {images[1]}")
    need = [image for image in images if _needs_build(engine, cache, root, image, build)]
    if need:
        make_images(engine, cache, root, state, need)
    for image in images:
        found = engine.image(image)
        if found is None:
            raise Fatal(f"image {image} is gone (removed while being checked?)")
        size = "" if store == CONTAINERD else f", {human_bytes(found.size)}"
        info(f"{image}: {found.id[7:19]}{size}")
