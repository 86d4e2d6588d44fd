"""The budgets: read before any work (each must name one of the two images
compared, and a growth budget an image of the baseline), checked after the
report.

  --max-size IMAGE=SIZE        the uncompressed size
  --max-compressed IMAGE=SIZE  the compressed size
  --max-wasted IMAGE=SIZE      the bytes a later layer overwrote or deleted
  --max-growth IMAGE=SIZE|N%   the uncompressed size over the baseline's
                               (--baseline REPORT.json, a saved --json report)
"""
import json
import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple, TypedDict

from . import out
from .out import UsageError
from .report import BudgetResult
from .units import human_bytes as hb, parse_bytes

# Each option and what it measures, in the words of the lines it prints.
OPTIONS = {"--max-size": "", "--max-compressed": "compressed",
           "--max-wasted": "wasted", "--max-growth": "growth"}


class Budget(NamedTuple):
    image: str
    limit: int                  # bytes; with a percent, 0 until the baseline is known
    option: str = "--max-size"
    percent: float | None = None


class Figures(TypedDict):
    """What the budgets are checked against, per image."""
    size_bytes: int
    compressed_bytes: int
    wasted_bytes: int


_PERCENT = re.compile(r"([0-9]+(?:\.[0-9]+)?)%")


def parse(spec: str, option: str = "--max-size") -> Budget:
    """A Budget from IMAGE=SIZE (split at the last '='; --max-growth takes
    N% too), or UsageError."""
    if "=" not in spec[1:-1]:
        raise UsageError(f"{option} wants IMAGE=SIZE, not '{spec}'")
    name, _, size = spec.rpartition("=")
    percent = _PERCENT.fullmatch(size) if option == "--max-growth" else None
    if percent:
        return Budget(name, 0, option, float(percent.group(1)))
    limit = parse_bytes(size)
    if limit is None:
        what = "80MB, 1.5GB, 75MiB, bytes or a percent like 10%" if option == "--max-growth" \
            else "80MB, 1.5GB, 75MiB or bytes"
        raise UsageError(f"{option}: bad size '{size}' (try {what})")
    return Budget(name, limit, option)


def read_baseline(path: str) -> dict[str, int]:
    """{image name: uncompressed size} of a saved --json report, or UsageError."""
    try:
        with open(path, encoding="utf-8") as f:
            saved = json.load(f)
    except OSError as e:
        raise UsageError(f"--baseline {path}: {e.strerror or e}") from None
    except ValueError:
        raise UsageError(f"--baseline {path}: not JSON (save one with --json)") from None
    try:
        return {i["name"]: int(i["size_bytes"]) for i in saved["images"]}
    except (TypeError, KeyError, ValueError):
        raise UsageError(f"--baseline {path}: not a compare-sizes --json report "
                         "(it has no images[] with name and size_bytes)") from None


def check(limits: Sequence[Budget], names: Sequence[str],
          baseline: Mapping[str, int] | None) -> None:
    """UsageError unless each budget names a compared image, and each growth
    budget one the baseline has."""
    for b in limits:
        if b.image not in names:
            raise UsageError(f"{b.option}: {b.image} is not one of the images compared "
                             f"({names[0]}, {names[1]})")
        if b.option != "--max-growth":
            continue
        if baseline is None:
            raise UsageError("--max-growth needs --baseline REPORT.json")
        if b.image not in baseline:
            raise UsageError(f"--max-growth: {b.image} is not in the baseline "
                             f"(it has: {', '.join(baseline) or 'no image'})")


def _measured(b: Budget, f: Figures, base: int | None) -> int:
    if b.option == "--max-compressed":
        return f["compressed_bytes"]
    if b.option == "--max-wasted":
        return f["wasted_bytes"]
    if b.option == "--max-growth":
        return f["size_bytes"] - (base or 0)
    return f["size_bytes"]


def evaluate(limits: Sequence[Budget], figures: Mapping[str, Figures],
             baseline: Mapping[str, int] | None = None) -> list[BudgetResult]:
    """The report's budgets[]: one per budget, held or not (parse-time checks
    made sure each names an image of FIGURES and of BASELINE)."""
    results: list[BudgetResult] = []
    for b in limits:
        base = baseline[b.image] if baseline is not None and b.option == "--max-growth" else None
        limit = b.limit if b.percent is None else int((base or 0) * b.percent / 100)
        measured = _measured(b, figures[b.image], base)
        results.append({"image": b.image, "option": b.option, "limit_bytes": limit,
                        "limit_percent": b.percent, "baseline_bytes": base,
                        "size_bytes": measured, "held": measured <= limit})
    return results


def _limit(r: BudgetResult) -> str:
    limit = f"{hb(r['limit_bytes'])} ({r['limit_bytes']} bytes)"
    if r["limit_percent"] is not None:
        limit = f"{r['limit_percent']:g}% of {hb(r['baseline_bytes'] or 0)}, {limit}"
    return limit


def say(results: Sequence[BudgetResult]) -> bool:
    """One line on stderr per budget, whether it holds; True when all do."""
    for r in results:
        name, size, what = r["image"], r["size_bytes"], OPTIONS[r["option"]]
        figure = f"{name} grew by {hb(size)}" if what == "growth" else \
            f"{name} is {hb(size)}" + (f" {what}" if what else "")
        if r["held"]:
            out.ok(f"{figure}, within its budget of {hb(r['limit_bytes'])}")
        else:
            out.over_budget(f"{figure} ({size} bytes), over its {r['option']} of {_limit(r)}")
    return all(r["held"] for r in results)
