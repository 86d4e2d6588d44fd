"""Messages for people, in the same shapes as common/lib.sh's: progress and
diagnostics on stderr. Whether a stream may carry colour is decided as
common/lib.sh's colour_on decides it, for each stream (Console.from_environ)."""
import dataclasses
import sys
import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TextIO


class Fatal(Exception):
    """An error that ends the run: one line on stderr and exit 1."""


class UsageError(Exception):
    """Bad command-line usage: one line on stderr and exit 2."""


@dataclasses.dataclass(frozen=True)
class Style:
    """The escape sequences for one stream: all empty when it has no colour."""
    bold: str = ""
    dim: str = ""
    red: str = ""
    green: str = ""
    yellow: str = ""
    reset: str = ""


PLAIN = Style()
COLOUR = Style(bold="\033[1m", dim="\033[2m", red="\033[31m", green="\033[32m",
               yellow="\033[33m", reset="\033[0m")


@dataclasses.dataclass(frozen=True)
class Console:
    """Who speaks (the script's name) and the style of each stream."""
    script_name: str = "compare-sizes.sh"
    stdout: Style = PLAIN
    stderr: Style = PLAIN

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "Console":
        """Colour on a stream that is a terminal, unless NO_COLOR is set or
        TERM is dumb or unset (common/lib.sh's colour_on, for sys.stdout and
        sys.stderr as they are now)."""
        def style(stream: TextIO) -> Style:
            wanted = not environ.get("NO_COLOR") and (environ.get("TERM") or "dumb") != "dumb"
            return COLOUR if wanted and stream.isatty() else PLAIN
        return cls(script_name=environ.get("SCRIPT_NAME") or cls.script_name,
                   stdout=style(sys.stdout), stderr=style(sys.stderr))


_console = Console()


def use(console: Console) -> None:
    """Speak as CONSOLE from now on (cli.main sets it from its environment)."""
    global _console
    _console = console


def _say(text: str) -> None:
    # sys.stderr as it is now, not as it was at import.
    print(text, file=sys.stderr, flush=True)


def step(text: str) -> None:
    c = _console.stderr
    _say(f"{c.bold}==>{c.reset} {text}")


def info(text: str) -> None:
    _say(f"    {text}")


def ok(text: str) -> None:
    c = _console.stderr
    _say(f"{c.green}ok{c.reset}  {text}")


def warn(text: str) -> None:
    c = _console.stderr
    _say(f"{c.yellow}{_console.script_name}: warning:{c.reset} {text}")


def error(text: str) -> None:
    c = _console.stderr
    _say(f"{c.red}{_console.script_name}: error:{c.reset} {text}")


def over_budget(text: str) -> None:
    c = _console.stderr
    _say(f"{c.red}{_console.script_name}: over budget:{c.reset} {text}")


def usage_line(text: str) -> None:
    name = _console.script_name
    _say(f"{name}: {text} (see {name} --help)")


class Progress:
    """While a long step runs: every PERIOD seconds one line "WHAT: N s, STATUS",
    so it shows it is alive without flooding the terminal."""

    def __init__(self, what: str, status: Callable[[], str], period: float = 30) -> None:
        self._what, self._status, self._period = what, status, period
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.started = time.monotonic()

    def _run(self) -> None:
        while not self._done.wait(self._period):
            info(f"{self._what}: {self.elapsed()} s, {self._status()}")

    def elapsed(self) -> int:
        return int(time.monotonic() - self.started)

    def __enter__(self) -> "Progress":
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._done.set()
        self._thread.join()
