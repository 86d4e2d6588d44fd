"""--max-size IMAGE=SIZE: read before any work, checked after the report."""
from collections.abc import Mapping, Sequence

from . import out
from .engine import EngineAPI
from .out import Fatal, UsageError
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


def check(budgets: Sequence[Budget], known_sizes: Mapping[str, int], engine: EngineAPI) -> bool:
    """Say for each budget whether it holds; True when all do. KNOWN_SIZES has
    the measured images' sizes; other images are asked of the engine."""
    held = True
    for name, limit in budgets:
        size = known_sizes.get(name)
        if size is None:
            image = engine.image(name)
            if image is None:
                raise Fatal(f"--max-size: no image {name}")
            size = image.size
        if size > limit:
            out.over_budget(f"{name} is {hb(size)} ({size} bytes), "
                            f"over its --max-size of {hb(limit)} ({limit} bytes)")
            held = False
        else:
            out.ok(f"{name} is {hb(size)}, within its budget of {hb(limit)}")
    return held
