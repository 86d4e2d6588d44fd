"""The Debian packages an image holds, read from dpkg's own records in its
layers (/var/lib/dpkg/status, and distroless's /var/lib/dpkg/status.d/, one
file a package): no dpkg, no shell, nothing run inside the image."""
from collections.abc import Mapping
from typing import TypedDict


class Package(TypedDict):
    version: str
    bytes: int      # dpkg's Installed-Size (KiB), in bytes


def stanzas(text: str) -> list[dict[str, str]]:
    """The paragraphs of a control file, as {field: value} (first lines only)."""
    found: list[dict[str, str]] = []
    fields: dict[str, str] = {}
    for line in text.splitlines() + [""]:
        if not line.strip():
            if fields:
                found.append(fields)
            fields = {}
        elif not line[0].isspace() and ":" in line:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
    return found


def installed(texts: Mapping[str, str]) -> dict[str, Package]:
    """{name: Package} for every package installed ("install ok installed",
    or no Status at all, as distroless writes them)."""
    result: dict[str, Package] = {}
    for path in sorted(texts):
        if not (path == "/var/lib/dpkg/status" or path.startswith("/var/lib/dpkg/status.d/")):
            continue
        for fields in stanzas(texts[path]):
            name = fields.get("package")
            status = fields.get("status", "install ok installed").split()
            if not name or status[-1:] != ["installed"]:
                continue
            size = fields.get("installed-size", "")
            result[name] = Package(version=fields.get("version", ""),
                                   bytes=int(size) * 1024 if size.isdigit() else 0)
    return result
