"""--max-size IMAGE=SIZE: read before any work (IMAGE must be one of the two
compared), checked after the report."""
from collections.abc import Mapping, Sequence

from . import out
from .out import UsageError
from .report import BudgetResult
from .units import human_bytes as hb, parse_bytes

Budget = tuple[str, int]


def parse(spec: str) -> Budget:
    """(image, bytes) from IMAGE=SIZE (split at the last '='), or UsageError."""
    if "=" not in spec[1:-1]:
        raise UsageError(f"--max-size wants IMAGE=SIZE, not '{spec}'")
    name, _, size = spec.rpartition("=")
    limit = parse_bytes(size)
    if limit is None:
        raise UsageError(f"--max-size: bad size '{size}' (try 80MB, 1.5GB, 75MiB or bytes)")
    return name, limit


def evaluate(budgets: Sequence[Budget], sizes: Mapping[str, int]) -> list[BudgetResult]:
    """The report's budgets[]: one per budget, held or not. SIZES has the
    compared images' sizes (parse-time checks made sure each budget names one)."""
    return [{"image": name, "option": "--max-size", "limit_bytes": limit,
             "size_bytes": sizes[name], "held": sizes[name] <= limit} for name, limit in budgets]


def say(results: Sequence[BudgetResult]) -> bool:
    """One line on stderr per budget, whether it holds; True when all do."""
    for r in results:
        name, size, limit = r["image"], r["size_bytes"], r["limit_bytes"]
        if r["held"]:
            out.ok(f"{name} is {hb(size)}, within its budget of {hb(limit)}")
        else:
            out.over_budget(f"{name} is {hb(size)} ({size} bytes), "
                            f"over its {r['option']} of {hb(limit)} ({limit} bytes)")
    return all(r["held"] for r in results)
