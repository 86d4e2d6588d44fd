"""Wasted bytes: what an image's layers carry that its final file system does
not show, because a later layer overwrote or deleted it (a whiteout, or an
opaque directory), with the largest offenders and dive's efficiency score."""
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from .rootfs import hidden_by


class Offender(TypedDict):
    path: str
    bytes: int        # what its hidden versions take up
    how: str          # "overwritten" or "deleted"
    layer: int        # the layer (0 the oldest) that overwrote or deleted it last


class Waste(TypedDict):
    wasted_bytes: int
    efficiency: float  # as dive defines it: 1.0 is no byte wasted
    offenders: list[Offender]


class _Path:
    """What the layers did to one path: dive's sizes, and what is hidden."""

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.hidden = 0
        self.how = ""
        self.layer = -1


def waste(layers: Sequence[Mapping[str, Any]], top: int = 10) -> Waste:
    """Layer records (files, whiteouts, opaque), oldest first.

    dive's score: for every path, the smallest size it was seen at over the
    sum of every size it was seen at, a deletion counting 0 for a file and
    the deleted tree's size for a directory (dive's filetree.Efficiency).
    """
    stacked: dict[str, int] = {}
    seen: dict[str, _Path] = {}

    def hide(path: str, size: int, how: str, layer: int) -> None:
        record = seen.setdefault(path, _Path())
        record.hidden += size
        record.how, record.layer = how, layer

    for index, layer in enumerate(layers):
        for removed in [*layer["whiteouts"], *layer["opaque"]]:
            opaque = removed in layer["opaque"]
            gone = {k: stacked.pop(k) for k in list(stacked)
                    if hidden_by(k, removed) and not (opaque and k == removed)}
            for path, size in gone.items():
                hide(path, size, "deleted", index)
            a_file = list(gone) == [removed]
            seen.setdefault(removed, _Path()).sizes.append(0 if a_file else sum(gone.values()))
        for path, size in layer["files"].items():
            if path in stacked:
                hide(path, stacked[path], "overwritten", index)
            stacked[path] = size
            seen.setdefault(path, _Path()).sizes.append(size)
    smallest = sum(min(p.sizes) for p in seen.values() if p.sizes)
    discovered = sum(sum(p.sizes) for p in seen.values())
    offenders = sorted((Offender(path=path, bytes=p.hidden, how=p.how, layer=p.layer)
                        for path, p in seen.items() if p.hidden > 0),
                       key=lambda o: (-o["bytes"], o["path"]))
    return Waste(wasted_bytes=sum(o["bytes"] for o in offenders),
                 efficiency=smallest / discovered if discovered else 1.0,
                 offenders=offenders[:top])
