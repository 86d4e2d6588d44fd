"""--max-size IMAGE=SIZE: read before any work (IMAGE must be one of the two
compared), checked after the report."""
from collections.abc import Mapping, Sequence

from . import out
from .out import UsageError
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


def check(budgets: Sequence[Budget], sizes: Mapping[str, int]) -> bool:
    """Say for each budget whether it holds; True when all do. SIZES has the
    compared images' sizes (parse-time checks made sure each budget names one)."""
    held = True
    for name, limit in budgets:
        size = sizes[name]
        if size > limit:
            out.over_budget(f"{name} is {hb(size)} ({size} bytes), "
                            f"over its --max-size of {hb(limit)} ({limit} bytes)")
            held = False
        else:
            out.ok(f"{name} is {hb(size)}, within its budget of {hb(limit)}")
    return held
