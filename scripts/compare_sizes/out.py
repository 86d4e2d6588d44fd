"""Messages for people, in the same shapes as common/lib.sh, and byte units."""
import os
import re
import sys
import threading
import time

SCRIPT_NAME = os.environ.get("SCRIPT_NAME", "compare-sizes.sh")


class Fatal(Exception):
    """An error that ends the run: one line on stderr and exit 1."""


class UsageError(Exception):
    """Bad command-line usage: one line on stderr and exit 2."""


def colours_for(stream):
    """Bold, dim, red, green, yellow and reset: empty unless STREAM is a terminal."""
    on = (stream.isatty() and not os.environ.get("NO_COLOR")
          and os.environ.get("TERM", "dumb") != "dumb")
    if not on:
        return {k: "" for k in ("bold", "dim", "red", "green", "yellow", "reset")}
    return {"bold": "\033[1m", "dim": "\033[2m", "red": "\033[31m",
            "green": "\033[32m", "yellow": "\033[33m", "reset": "\033[0m"}


C = colours_for(sys.stderr)


def _say(text):
    print(text, file=sys.stderr, flush=True)


def step(text):
    _say(f"{C['bold']}==>{C['reset']} {text}")


def info(text):
    _say(f"    {text}")


def ok(text):
    _say(f"{C['green']}ok{C['reset']}  {text}")


def warn(text):
    _say(f"{C['yellow']}{SCRIPT_NAME}: warning:{C['reset']} {text}")


def error(text):
    _say(f"{C['red']}{SCRIPT_NAME}: error:{C['reset']} {text}")


def over_budget(text):
    _say(f"{C['red']}{SCRIPT_NAME}: over budget:{C['reset']} {text}")


def usage_line(text):
    _say(f"{SCRIPT_NAME}: {text} (see {SCRIPT_NAME} --help)")


def human_bytes(n):
    """Decimal units as docker shows them: 1 MB = 10^6 bytes; negative with a '-'."""
    if n < 0:
        return "-" + human_bytes(-n)
    units = ["B", "kB", "MB", "GB", "TB"]
    value, i = float(n), 0
    while value >= 1000 and i < len(units) - 1:
        value /= 1000
        i += 1
    return f"{int(value)} {units[i]}" if i == 0 else f"{value:.1f} {units[i]}"


_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(?:([kKmMgGtT])(i?))?[bB]?")


def parse_bytes(text):
    """80MB, 80M, 1.5GB, 75MiB or bytes: an int, or None when TEXT is no size.

    kB, MB, GB, TB (and k, M, G, T) are powers of 1000; KiB, MiB... of 1024.
    """
    m = _SIZE.fullmatch(text)
    if not m:
        return None
    number, unit, binary = m.groups()
    base = 1024 if binary else 1000
    power = "kmgt".index(unit.lower()) + 1 if unit else 0
    return int("%.0f" % (float(number) * base ** power))


class Progress:
    """While a long step runs: every PERIOD seconds one line "WHAT: N s, STATUS",
    so it shows it is alive without flooding the terminal."""

    def __init__(self, what, status, period=30):
        self._what, self._status, self._period = what, status, period
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.started = time.monotonic()

    def _run(self):
        while not self._done.wait(self._period):
            info(f"{self._what}: {self.elapsed()} s, {self._status()}")

    def elapsed(self):
        return int(time.monotonic() - self.started)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
