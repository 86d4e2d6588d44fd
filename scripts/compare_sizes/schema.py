"""The JSON Schema of --json's output (--json-schema prints it), made from the
TypedDicts that mypy checks the report against: one definition of the shape."""
import json
import sys
import types
import typing
from typing import Any

from . import report

SCHEMA_ID = "https://askeladden.invalid/compare-sizes.schema.json"
_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"}, int: {"type": "integer"}, float: {"type": "number"},
    bool: {"type": "boolean"}, type(None): {"type": "null"}}


def _is_typeddict(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, dict) and hasattr(t, "__total__")


def of(t: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """The schema of type T; TypedDicts go into DEFS once, by name."""
    if t in _SCALARS:
        return dict(_SCALARS[t])
    origin, args = typing.get_origin(t), typing.get_args(t)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [of(a, defs) for a in args]}
    if origin is list:
        return {"type": "array", "items": of(args[0], defs)}
    if _is_typeddict(t):
        name = t.__name__
        if name not in defs:
            defs[name] = {}     # taken before recursing: a type may name itself
            hints = typing.get_type_hints(t)
            defs[name] = {"type": "object", "additionalProperties": False,
                          "required": sorted(hints),
                          "properties": {k: of(v, defs) for k, v in hints.items()}}
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema for {t!r}")


def schema() -> dict[str, Any]:
    """What --json prints: a Report, or a SameImage when both names are one image."""
    defs: dict[str, Any] = {}
    top = {"oneOf": [of(report.Report, defs), of(report.SameImage, defs)]}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "scripts/compare-sizes.sh --json", **top, "$defs": defs}


def main() -> int:
    json.dump(schema(), sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
