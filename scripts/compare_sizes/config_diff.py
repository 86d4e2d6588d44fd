"""The two images' run-time settings side by side, from their configs: what
post 2's hardening changes (the user, exec-form entrypoint, ...)."""
import json
from collections.abc import Mapping
from typing import Any, TypedDict

SHELL = ["/bin/sh", "-c"]


class Setting(TypedDict):
    name: str
    a: str
    b: str
    same: bool


def command(value: Any) -> str:
    """An entrypoint or cmd, naming its form: a shell form is stored as
    ["/bin/sh", "-c", "TEXT"] and runs TEXT under a shell, which then is
    PID 1 and does not pass SIGTERM on."""
    if not value:
        return "(none)"
    if list(value[:2]) == SHELL and len(value) == 3:
        return f"shell form: {value[2]}"
    return "exec form: " + json.dumps(list(value))


def _listing(value: Any, empty: str = "(none)") -> str:
    if not value:
        return empty
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={v}" if v not in (None, "", {}) else str(k) for k, v in sorted(value.items()))
    return ", ".join(str(v) for v in value)


def _healthcheck(value: Any) -> str:
    if not value or not value.get("Test"):
        return "(none)"
    test = value["Test"]
    if test[0] == "NONE":
        return "disabled"
    return " ".join(test[1:]) if test[0] in ("CMD", "CMD-SHELL") else " ".join(test)


def settings(config: Mapping[str, Any]) -> dict[str, str]:
    """An image config's ("config" of its JSON) settings, as text."""
    c = config.get("config") or config.get("Config") or {}
    return {
        "user": c.get("User") or "root (none set)",
        "entrypoint": command(c.get("Entrypoint")),
        "cmd": command(c.get("Cmd")),
        "environment": _listing(c.get("Env")),
        "exposed ports": _listing(sorted(c.get("ExposedPorts") or {})),
        "working directory": c.get("WorkingDir") or "/ (none set)",
        "labels": _listing(c.get("Labels")),
        "healthcheck": _healthcheck(c.get("Healthcheck")),
        "stop signal": c.get("StopSignal") or "SIGTERM (none set)",
    }


def compare(config_a: Mapping[str, Any], config_b: Mapping[str, Any]) -> list[Setting]:
    a, b = settings(config_a), settings(config_b)
    return [Setting(name=name, a=a[name], b=b[name], same=a[name] == b[name]) for name in a]
