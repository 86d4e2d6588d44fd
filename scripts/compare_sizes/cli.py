"""The command line of scripts/compare-sizes.sh: options, the four steps, the
report, the budgets and the exit status (0 fine, 1 error or blown budget, 2
bad usage)."""
import json
import os
import re
import sys

from . import budgets, diff, floor, gzsize, images, measure, out, render, report, svg
from .cache import Cache
from .out import Fatal, UsageError

ROOT = os.environ.get("ASKELADDEN_ROOT") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATE = os.environ.get("ASKELADDEN_STATE") or os.path.join(
    os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state"), "askeladden")
DEFAULT_IMAGES = ["askeladden:v0.1", "askeladden:v0.2"]


def usage_text():
    """The usage block at the top of scripts/compare-sizes.sh."""
    lines = []
    with open(os.path.join(ROOT, "scripts", "compare-sizes.sh"), encoding="utf-8") as f:
        for line in list(f)[1:]:
            if not line.startswith("#"):
                break
            lines.append(re.sub(r"^# ?", "", line))
    return "".join(lines)


def parse(argv):
    """The options as a dict, or None for --help; UsageError when they are wrong."""
    o = {"format": "text", "svg": "", "top": 12, "build": True, "budgets": [], "images": []}
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg in ("-h", "--help"):
            return None
        if arg in ("--json", "--markdown"):
            o["format"] = arg[2:]
        elif arg == "--svg":
            if not args or not args[0]:
                raise UsageError("--svg needs a file name")
            o["svg"] = args.pop(0)
        elif arg.startswith("--svg="):
            o["svg"] = arg.split("=", 1)[1]
        elif arg == "--max-size":
            if not args:
                raise UsageError("--max-size needs IMAGE=SIZE")
            o["budgets"].append(args.pop(0))
        elif arg.startswith("--max-size="):
            o["budgets"].append(arg.split("=", 1)[1])
        elif arg == "--top":
            if not args or not re.fullmatch(r"[1-9][0-9]*", args[0]):
                raise UsageError("--top needs a positive number")
            o["top"] = int(args.pop(0))
        elif arg == "--no-build":
            o["build"] = False
        elif arg.startswith("-"):
            raise UsageError(f"unknown option '{arg}'")
        else:
            o["images"].append(arg)
    return _check_images(o)


def _check_images(o):
    if not o["images"]:
        o["images"] = list(DEFAULT_IMAGES)
    if len(o["images"]) != 2:
        raise UsageError("name two images, or none for askeladden:v0.1 and askeladden:v0.2")
    if o["images"][0] == o["images"][1]:
        raise UsageError("name two different images")
    # Budgets are read now, so that a typo fails before any work.
    o["budgets"] = [budgets.parse(spec) for spec in o["budgets"]]
    return o


def measure_all(engine, cache, o):
    """Steps 1 to 4: the report as one JSON value."""
    name_a, name_b = o["images"]
    images.ensure(engine, cache, ROOT, STATE, o["images"], o["build"])
    pool = gzsize.Pool()
    try:
        out.step("2/4 sizes: uncompressed from the engine, compressed by gzip per layer")
        a = measure.measure(engine, cache, pool, name_a)
        b = measure.measure(engine, cache, pool, name_b)
    finally:
        pool.close()
    out.step(f"3/4 diff: what {name_a} has and {name_b} does not")
    total, groups = diff.paths(cache, a, b)
    packages_b = diff.packages(engine, cache, b["id"])
    packages = diff.package_diff(diff.packages(engine, cache, a["id"]), packages_b, o["top"])
    out.step(f"4/4 floor: {name_b}'s binary and the shared libraries it loads")
    try:
        floor_files = floor.floor(engine, cache, b["id"])
    except floor.NoFloor as why:
        out.warn(f"no floor for {name_b}: {why}")
        floor_files = []
    return report.build(a, b, pool.describe(), total, groups, packages, floor_files, o["top"])


def show(r, o):
    if o["format"] == "json":
        print(json.dumps(r, indent=2, ensure_ascii=False))
    elif o["format"] == "markdown":
        sys.stdout.write(render.markdown(r))
    else:
        plain = {k: "" for k in out.C}
        style = out.colours_for(sys.stdout) if out.C["reset"] else plain
        sys.stdout.write(render.text(r, style))
    sys.stdout.flush()
    if o["svg"]:
        try:
            with open(o["svg"] + ".tmp", "w", encoding="utf-8") as f:
                f.write(svg.chart(r))
            os.replace(o["svg"] + ".tmp", o["svg"])
        except OSError:
            raise Fatal(f"could not write {o['svg']}") from None
        out.info(f"bar chart written to {o['svg']}")


def run(o):
    from .engine import Engine      # only now: bad usage needs no engine
    engine = Engine()
    cache = Cache(os.path.join(STATE, "sizes"))
    r = measure_all(engine, cache, o)
    show(r, o)
    # Budgets last, so that the report is there to explain a failure.
    sizes = {i["name"]: i["size_bytes"] for i in r["images"]}
    return 0 if budgets.check(o["budgets"], sizes, engine) else 1


def main(argv):
    try:
        o = parse(argv)
    except UsageError as e:
        out.usage_line(str(e))
        return 2
    if o is None:
        sys.stdout.write(usage_text())
        return 0
    try:
        return run(o)
    except Fatal as e:
        out.error(str(e))
    except OSError as e:            # the engine's connection, the state directory
        out.error(str(e))
    except KeyboardInterrupt:
        return 130
    except Exception as e:
        if not type(e).__module__.startswith("docker."):
            raise
        out.error(str(e))
    return 1
