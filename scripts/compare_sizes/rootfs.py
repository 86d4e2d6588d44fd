"""An image's final file system as a map read from its layers, and paths
resolved inside it only: "..", absolute links and link loops stay in the
image's own root, since nothing here ever opens a path of this machine.
On it, the floor: a binary, its ELF interpreter and the DT_NEEDED closure of
its libraries, searched the way the dynamic loader searches."""
import posixpath
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from .elf import ElfInfo

MAX_LINKS = 40          # the kernel's own limit on links followed in one path
MAX_OBJECTS = 2000      # libraries in one closure
# Where ld.so looks when neither DT_RUNPATH nor ld.so.conf names a directory:
# Debian's multiarch directories first, then the classic ones.
TRIPLETS = ("x86_64-linux-gnu", "aarch64-linux-gnu", "arm-linux-gnueabihf", "i386-linux-gnu",
            "powerpc64le-linux-gnu", "s390x-linux-gnu", "riscv64-linux-gnu")
DEFAULT_DIRS = tuple(f"{root}/{t}" for t in TRIPLETS for root in ("/lib", "/usr/lib")) + \
    ("/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/local/lib")


class Node(NamedTuple):
    size: int
    link: str | None = None      # a symbolic link's target, as stored
    elf: ElfInfo | None = None


class Tree:
    def __init__(self, nodes: Mapping[str, Node]) -> None:
        self.nodes = dict(nodes)
        self.dirs = {"/"}
        for path in self.nodes:
            parent = posixpath.dirname(path)
            while parent not in self.dirs:
                self.dirs.add(parent)
                parent = posixpath.dirname(parent)

    def exists(self, path: str) -> bool:
        return path in self.nodes or path in self.dirs

    def resolve(self, path: str, seen_links: list[str] | None = None) -> str | None:
        """The path with every link followed, inside the image; None when a
        part is missing or the links loop. The links passed on the way are
        added to seen_links."""
        parts = [p for p in path.split("/") if p]
        current = "/"
        hops = 0
        while parts:
            part = parts.pop(0)
            if part == ".":
                continue
            if part == "..":
                current = posixpath.dirname(current)  # "/" stays "/"
                continue
            candidate = posixpath.join(current, part)
            node = self.nodes.get(candidate)
            if node is not None and node.link is not None:
                hops += 1
                if hops > MAX_LINKS:
                    return None
                if seen_links is not None:
                    seen_links.append(candidate)
                target = node.link
                parts = [p for p in target.split("/") if p] + parts
                current = "/" if target.startswith("/") else current
                continue
            if not self.exists(candidate):
                return None
            current = candidate
        return current

    def file(self, path: str, seen_links: list[str]) -> str | None:
        """A regular file's real path, or None."""
        real = self.resolve(path, seen_links)
        return real if real is not None and real in self.nodes else None


def search_dirs(runpath: Iterable[str], origin: str, conf_dirs: Iterable[str]) -> list[str]:
    dirs = [d.replace("$ORIGIN", origin).replace("${ORIGIN}", origin) for d in runpath]
    return dirs + [d for d in conf_dirs if d not in dirs] + [d for d in DEFAULT_DIRS if d not in dirs]


def closure(tree: Tree, binary: str, conf_dirs: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """(the floor's paths, what could not be found): the binary, its
    interpreter and every library it needs, each file once, with the links
    passed on the way to them."""
    links: list[str] = []
    files: list[str] = []
    missing: list[str] = []
    conf = list(conf_dirs)
    queue: list[tuple[str, str | None]] = [(binary, None)]  # (name, the object that needs it)
    while queue and len(files) < MAX_OBJECTS:
        name, owner = queue.pop(0)
        if owner is not None and "/" not in name:
            info = tree.nodes[owner].elf
            dirs = search_dirs(info.runpath if info else (), posixpath.dirname(owner), conf)
            real = None
            for directory in dirs:
                passed: list[str] = []
                real = tree.file(posixpath.join(directory, name), passed)
                if real is not None:
                    links.extend(passed)
                    break
        else:
            real = tree.file(name, links)
        if real is None:
            missing.append(name)
            continue
        if real in files:
            continue
        files.append(real)
        info = tree.nodes[real].elf
        if info is not None:
            queue.extend([(info.interpreter, None)] if info.interpreter else [])
            queue.extend((lib, real) for lib in info.needed)
    return files + [link for link in dict.fromkeys(links) if link not in files], missing


def hidden_by(path: str, removed: str) -> bool:
    """Whether a whiteout or opaque directory REMOVED covers PATH."""
    return path == removed or path.startswith(removed.rstrip("/") + "/")


def tree_of(layers: Sequence[Mapping[str, Any]]) -> tuple[Tree, dict[str, str]]:
    """The file system that layer records (oldest first) make, and the texts
    (dpkg's status, ld.so.conf) still in it. A whiteout deletes a path and
    what is under it; an opaque directory hides what the layers below put in it."""
    nodes: dict[str, Node] = {}
    texts: dict[str, str] = {}
    for layer in layers:
        for removed in [*layer["whiteouts"], *layer["opaque"]]:
            keep = removed if removed in layer["opaque"] else None
            for path in [p for p in nodes if hidden_by(p, removed) and p != keep]:
                del nodes[path]
                texts.pop(path, None)
        # A record with only a file list (no links, ELF needs or texts) works too.
        links, elf, new_texts = layer.get("links", {}), layer.get("elf", {}), layer.get("texts", {})
        for path, size in layer["files"].items():
            info = elf.get(path)
            nodes[path] = Node(size, links.get(path),
                               ElfInfo(info[0], tuple(info[1]), tuple(info[2])) if info else None)
            texts.pop(path, None)
        texts.update(new_texts)
    return Tree(nodes), texts


def ld_so_conf_dirs(texts: Mapping[str, str]) -> list[str]:
    """The directories /etc/ld.so.conf and its ld.so.conf.d/*.conf name."""
    dirs: list[str] = []
    for path in sorted(texts):
        if path == "/etc/ld.so.conf" or path.startswith("/etc/ld.so.conf.d/"):
            dirs.extend(line.strip() for line in texts[path].splitlines()
                        if line.strip().startswith("/"))
    return dirs


# A container's PATH when its image sets none (Docker's default).
DEFAULT_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def locate(tree: Tree, program: str) -> str:
    """Where a container finds PROGRAM: as given when it has a slash, else on
    the default PATH."""
    if "/" in program:
        return posixpath.join("/", program)
    for directory in DEFAULT_PATH:
        candidate = posixpath.join(directory, program)
        if tree.file(candidate, []) is not None:
            return candidate
    return posixpath.join("/usr/bin", program)
