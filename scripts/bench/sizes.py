"""make bench-compare-sizes: how fast and how lean compare-sizes is, against
its targets, on the two default images (built first when missing).

  cold    compare-sizes with an empty cache, against `docker save` of both
          images alone (read to the end, thrown away): at most 1.5x + 5 s
  rerun   the same again, answered from the cache: under 1 s
  memory  the peak RSS of its largest process (the Python that reads the
          layers): under 200 MB, since layers are streamed, never held whole

Each figure is the median of --rounds runs (default 3), the runs of one
round back to back. Usage: scripts/bench/sizes.py [--json] [--rounds N].
Progress on stderr; a table (or --json) on stdout; exit 0 whether or not a
target is met (a benchmark reports, it does not gate)."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import TypedDict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGES = ("askeladden:v0.1", "askeladden:v0.2")
COLD_FACTOR, COLD_SLACK_S, RERUN_S, PEAK_MB = 1.5, 5.0, 1.0, 200.0


class Round(TypedDict):
    save_s: float
    cold_s: float
    rerun_s: float
    peak_mb: float


class Figure(TypedDict):
    name: str
    measured: float
    unit: str
    target: float
    target_says: str
    ratio: float        # measured over target: at most 1 meets it
    met: bool


def timed(argv: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(seconds, peak RSS in MB of its largest process) of one run of ARGV,
    whose output is thrown away; a failure stops the benchmark. wait4 gives
    the peak of the process and of the descendants it waited for."""
    with tempfile.TemporaryFile() as err:
        start = time.monotonic()
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.monotonic() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            err.seek(0)
            last = err.read().decode("utf-8", "replace").strip().splitlines()[-1:]
            sys.exit(f"bench-compare-sizes: {' '.join(argv)} failed: {' '.join(last)}")
    return seconds, usage.ru_maxrss / 1024


def one_round(script: str) -> Round:
    save_s, _ = timed(["docker", "save", *IMAGES])    # its stdout, thrown away
    with tempfile.TemporaryDirectory(prefix="bench-sizes-") as state:
        env = {**os.environ, "ASKELADDEN_STATE": state}
        cold_s, peak_mb = timed([script, "--no-build", "--json"], env)
        rerun_s, _ = timed([script, "--no-build", "--json"], env)
    return {"save_s": save_s, "cold_s": cold_s, "rerun_s": rerun_s, "peak_mb": peak_mb}


def figures(rounds: Sequence[Round]) -> list[Figure]:
    """The medians against their targets."""
    def median(key: str) -> float:
        return float(statistics.median(float(r[key]) for r in rounds))  # type: ignore[literal-required]
    save, cold = median("save_s"), median("cold_s")
    cold_target = COLD_FACTOR * save + COLD_SLACK_S
    rows = [("cold run", cold, "s", cold_target, f"1.5 x docker save ({save:.1f} s) + 5 s"),
            ("rerun", median("rerun_s"), "s", RERUN_S, "under 1 s"),
            ("peak memory", median("peak_mb"), "MB", PEAK_MB, "under 200 MB")]
    return [{"name": name, "measured": value, "unit": unit, "target": target,
             "target_says": says, "ratio": value / target, "met": value <= target}
            for name, value, unit, target, says in rows]


def table(found: Sequence[Figure]) -> str:
    lines = [f"{'figure':<12}  {'measured':>10}  {'target':>10}  {'ratio':>6}  {'':<7}  target rule"]
    for f in found:
        lines.append(f"{f['name']:<12}  {f['measured']:>7.1f} {f['unit']:<2}  {f['target']:>7.1f} "
                     f"{f['unit']:<2}  {f['ratio']:>5.2f}x  {'met' if f['met'] else 'MISSED':<7}  "
                     f"{f['target_says']}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(prog="bench-compare-sizes", description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true", help="only JSON on stdout")
    p.add_argument("--rounds", type=int, default=3, help="runs of each figure (default 3)")
    args = p.parse_args(argv)
    if args.rounds < 1:
        p.error("--rounds needs a positive number")
    script = os.path.join(ROOT, "scripts", "compare-sizes.sh")
    print("==> building the default images when missing (make images)", file=sys.stderr)
    timed(["make", "-s", "images"])
    rounds = []
    for n in range(1, args.rounds + 1):
        print(f"==> round {n}/{args.rounds}: docker save, then compare-sizes cold and again",
              file=sys.stderr)
        rounds.append(one_round(script))
    found = figures(rounds)
    if args.json:
        print(json.dumps({"rounds": rounds, "figures": found}, indent=2))
    else:
        sys.stdout.write(table(found))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
