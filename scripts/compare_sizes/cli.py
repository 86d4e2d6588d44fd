"""The command line of scripts/compare-sizes.sh: options, the four steps, the
report, the budgets and the exit status (0 fine, 1 error or blown budget, 2
bad usage).

It owns the command line whole: --help is argparse's, and which stream may
carry colour is decided here (out.Console). What it takes from its
environment is handed to main() and read there, never at import: where the
repository and the state directory are, the script's name, NO_COLOR and TERM.
"""
import argparse
import dataclasses
import json
import os
import re
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, NoReturn

from . import (budgets, config_diff, diff, floor, floor_image, gzsize, images, measure, out,
               registry, render, report, schema, svg, wasted)
from .budgets import Budget
from .cache import Cache
from .engine import CONTAINERD, NO_SDK, Engine, EngineAPI, Image, is_reference
from .units import human_bytes
from .out import Console, Fatal, UsageError

DEFAULT_IMAGES = ("askeladden:v0.1", "askeladden:v0.2")


@dataclasses.dataclass(frozen=True)
class Options:
    """The command line, checked."""
    images: tuple[str, str] = DEFAULT_IMAGES
    format: str = "text"                # "text", "json" or "markdown"
    svg: str = ""                       # also write the chart here
    top: int = 12
    build: bool = True
    budgets: tuple[Budget, ...] = ()
    run_floor: bool = False
    registry: str = ""                  # HOST[:PORT]: exact compressed sizes from there
    baseline: Mapping[str, int] | None = None   # --baseline: {image: size}


@dataclasses.dataclass(frozen=True)
class Places:
    """The repository (it builds our images) and the state directory (the cache)."""
    root: str
    state: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "Places":
        root = environ.get("ASKELADDEN_ROOT") or os.path.dirname(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        home = environ.get("HOME") or os.path.expanduser("~")
        state = environ.get("ASKELADDEN_STATE") or os.path.join(
            environ.get("XDG_STATE_HOME") or os.path.join(home, ".local", "state"), "askeladden")
        return cls(root, state)


class _Namespace(argparse.Namespace):
    format: str
    json_schema: bool
    run_floor: bool
    registry: str | None
    svg: str | None
    max_size: list[str]
    max_compressed: list[str]
    max_wasted: list[str]
    max_growth: list[str]
    baseline: str | None
    top: int
    build: bool
    images: list[str]


class _HelpAsked(Exception):
    """-h or --help: the usage, whatever else the command line says after it."""


class _Help(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                         nargs=0, help="show this help")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        raise _HelpAsked


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _positive(text: str) -> int:
    if not re.fullmatch(r"[1-9][0-9]*", text):
        raise argparse.ArgumentTypeError(f"not a positive number: '{text}'")
    return int(text)


DESCRIPTION = """\
Measure two images and show what the multi-stage build saved and where the
bytes went. By default IMAGE_A is askeladden:v0.1 and IMAGE_B askeladden:v0.2;
those two are built (make images) when missing or older than their sources.
Any two local images may be compared by name or ID.

The report, lined up for people on stdout (progress lines on stderr):
  - per image: the uncompressed size (what `docker images` shows: the
    engine's .Size), the compressed size (what a push transfers: the layers
    gzipped, estimated) and the number of layers;
  - the ratio IMAGE_A/IMAGE_B and the bytes saved;
  - per image, its layers: the instruction that made each one and its size;
  - the diff: the largest paths in IMAGE_A that IMAGE_B does not have, and
    the largest Debian packages (dpkg's estimate, from its status file);
  - wasted bytes: what each image's layers carry but a later layer
    overwrote or deleted, the largest offenders, and dive's efficiency score;
  - settings: how a container of each image runs (user, entrypoint and cmd
    with their form, environment, ports, working directory, labels,
    healthcheck, stop signal);
  - the floor: IMAGE_B's binary (its entrypoint) plus the shared libraries it
    loads (its ELF interpreter and DT_NEEDED closure, found in its layers as
    the dynamic loader would: nothing runs inside the image, so scratch and
    distroless images have one too), the smallest image that could run it.

On Docker's containerd image store, `docker save` gives the layers
compressed, with an index and buildx's attestation manifests: the manifest of
this machine's platform is read, each layer unpacked, and its uncompressed
size counted as the classic store counts it, so that both stores give the
same figures; what that engine's `docker images` shows (the compressed
content and the unpacked layers together) is said beside them.

Sizes in bytes use decimal units, as docker counts them, with one decimal:
1 MB = 1000000 bytes.
"Uncompressed" sizes are the engine's own; "compressed" sizes gzip's estimate,
unless labelled exact.

How the compressed size is obtained: each layer, as `docker save` streams it,
is gzipped at level 6 (docker push's default level) with zlib on every CPU (in
blocks of 128 KiB, each primed with the 32 KiB before it, as pigz does) and
the bytes are counted: every block of its first 16 MiB, and past that one
block in 4 (still primed), the blocks between counted at the rate of those,
byte for byte. That is a quarter of the work, and within 1% of compressing
every block on real layers: 0.05% off for gcc:12's 1.2 GB, 0.8% for
bookworm-slim's 78 MB. The result is cached per layer digest under
$ASKELADDEN_STATE/sizes, together with the layer's file list, so a rerun with
unchanged images reads no layer at all and answers in under a second. The
first run reads every layer once: about 16 s for the 1.3 GB of both default
images on two cores, where `docker save` of both alone takes 8 s and gzip -6
of askeladden:v0.1's on one core 47 s (make bench-compare-sizes measures the
first two). The registry would record what a push really sends: Go's gzip,
about 2% more (431.3 MB against 422.3 MB for gcc:12's layer); the ratios
barely move. With --registry HOST:PORT, an image pushed there (redeploy.sh and
the posts push to localhost:32000) gets the registry's own figures, exact, and
each compressed size is labelled gzip or registry. On the containerd image
store, a layer it holds compressed (as buildx builds it) gets its blob's own
size, exact, labelled content store; gzip's estimate stays in the JSON as
estimated_compressed_bytes, the same figure on both stores.

Colour: on a terminal only, and never when NO_COLOR is set or TERM is dumb,
decided for stdout and stderr each."""

EPILOG = """\
The JSON (--json), its top-level fields:
{fields}

Two names of one image (a tag and its ID, say) are not compared: one line
says so (exit 0, unless a budget is blown), and the JSON has only these:
{same_fields}

Exit status: 0 when the report is printed and every budget holds; 1 on an
error or a blown budget (the JSON's budgets[] says which); 2 on bad usage."""


def parser(prog: str) -> argparse.ArgumentParser:
    width = max(map(len, report.FIELDS))
    fields = "\n".join(textwrap.fill(f"  {k:<{width}}  {v}", 80, subsequent_indent=" " * (width + 4))
                       for k, v in report.FIELDS.items())
    same_fields = "\n".join(f"  {k:<{width}}  {v}" for k, v in report.SAME_IMAGE_FIELDS.items())
    p = _Parser(prog=prog, add_help=False, allow_abbrev=False, exit_on_error=False,
                usage="%(prog)s [options] [IMAGE_A IMAGE_B]", description=DESCRIPTION,
                epilog=EPILOG.format(fields=fields, same_fields=same_fields),
                formatter_class=lambda prog: argparse.RawDescriptionHelpFormatter(
                    prog, max_help_position=26, width=80))
    p.add_argument("-h", "--help", action=_Help, help="show this help")
    output = p.add_mutually_exclusive_group()
    output.add_argument("--json", dest="format", action="store_const", const="json",
                        help="machine output on stdout, nothing else (fields below)")
    output.add_argument("--markdown", dest="format", action="store_const", const="markdown",
                        help="the report as Markdown tables, for the docs")
    p.set_defaults(format="text")
    p.add_argument("--json-schema", action="store_true",
                   help="print the JSON Schema of --json's output and exit (no engine needed)")
    p.add_argument("--svg", metavar="FILE", help="also write a bar chart of the sizes to FILE "
                   "(checked before any work)")
    p.add_argument("--max-size", metavar="IMAGE=SIZE", action="append", default=[],
                   help="fail (exit 1, naming the image) when IMAGE, one of the two "
                   "compared, is over SIZE uncompressed: 80MB, 80M, 1.5GB, 75MiB or "
                   "bytes; MB and M are 10^6 bytes, MiB is 2^20. Repeatable.")
    p.add_argument("--max-compressed", metavar="IMAGE=SIZE", action="append", default=[],
                   help="the same for the compressed size (what a push transfers)")
    p.add_argument("--max-wasted", metavar="IMAGE=SIZE", action="append", default=[],
                   help="the same for the wasted bytes (what a later layer overwrote "
                   "or deleted)")
    p.add_argument("--max-growth", metavar="IMAGE=SIZE|N%", action="append", default=[],
                   help="fail when IMAGE's uncompressed size grew over the baseline's by "
                   "more than SIZE, or N percent of it (needs --baseline)")
    p.add_argument("--baseline", metavar="REPORT", help="a report saved earlier with --json, "
                   "for --max-growth (read before any work)")
    p.add_argument("--registry", metavar="HOST[:PORT]",
                   help="the compressed sizes of an image pushed to this registry (its "
                   "RepoDigests name it) as the registry stores them, exact; the others "
                   "gzip's estimate. localhost and 127.* are asked over plain HTTP")
    p.add_argument("--run-floor", action="store_true",
                   help="also build the floor as an image (FROM scratch: the binary, its "
                   "libraries, /etc/passwd for a named user) and run it read-only, as a "
                   "user that is not root, with no capabilities; fail (exit 1) unless GET / "
                   "on its exposed port answers 2xx or 3xx")
    p.add_argument("--top", metavar="N", type=_positive, default=12,
                   help="how many paths and packages the diff lists (default 12)")
    p.add_argument("--no-build", dest="build", action="store_false",
                   help="measure the images as they are: do not build missing or "
                   "outdated default images")
    p.add_argument("images", metavar="IMAGE", nargs="*",
                   help="IMAGE_A IMAGE_B: names or IDs (default: askeladden:v0.1 "
                   "askeladden:v0.2)")
    return p


def usage(prog: str) -> str:
    """What --help prints: argparse's help, in the shape of the scripts' usage blocks."""
    text = parser(prog).format_help()
    text = text.replace("usage: ", "Usage: ", 1).replace("\noptions:\n", "\nOptions:\n", 1)
    return text.replace("\npositional arguments:\n", "\nArguments:\n", 1)


def _registry(host: str | None) -> str:
    if host is None:
        return ""
    try:
        return registry.check_host(host)
    except ValueError as e:
        raise UsageError(str(e)) from None


# What a missing or bad option value says: the same lines as before argparse.
_NEEDS = {"--svg": "--svg needs a file name", "--max-size": "--max-size needs IMAGE=SIZE",
          "--max-compressed": "--max-compressed needs IMAGE=SIZE",
          "--max-wasted": "--max-wasted needs IMAGE=SIZE",
          "--max-growth": "--max-growth needs IMAGE=SIZE or IMAGE=N%",
          "--baseline": "--baseline needs a file name",
          "--registry": "--registry needs HOST or HOST:PORT",
          "--top": "--top needs a positive number"}


def parse(argv: Sequence[str], prog: str = "compare-sizes.sh") -> Options | Literal["schema"] | None:
    """The options, None for --help, "schema" for --json-schema; UsageError
    when they are wrong."""
    try:
        ns, unknown = parser(prog).parse_known_intermixed_args(list(argv), _Namespace())
    except _HelpAsked:
        return None
    except argparse.ArgumentError as e:
        name = e.argument_name or ""
        raise UsageError(_NEEDS.get(name, f"{name}: {e.message}")) from None
    # argparse takes a lone "-" for a positional argument.
    for arg in unknown + [i for i in ns.images if i.startswith("-")]:
        raise UsageError(f"unknown option '{arg}'")
    if ns.json_schema:
        return "schema"
    if ns.svg == "":
        raise UsageError(_NEEDS["--svg"])
    names = ns.images or list(DEFAULT_IMAGES)
    if len(names) != 2:
        raise UsageError("name two images, or none for askeladden:v0.1 and askeladden:v0.2")
    if names[0] == names[1]:
        raise UsageError("name two different images")
    for name in names:
        if not is_reference(name):
            raise UsageError(f"'{name}' is not an image reference "
                             "([HOST/]NAME[:TAG][@DIGEST], lowercase, or an image ID)")
    # Budgets are read now, so that a typo fails before any work.
    if ns.baseline == "":
        raise UsageError(_NEEDS["--baseline"])
    limits = tuple(budgets.parse(spec, option) for option, specs in (
        ("--max-size", ns.max_size), ("--max-compressed", ns.max_compressed),
        ("--max-wasted", ns.max_wasted), ("--max-growth", ns.max_growth)) for spec in specs)
    baseline = budgets.read_baseline(ns.baseline) if ns.baseline is not None else None
    budgets.check(limits, names, baseline)
    return Options(images=(names[0], names[1]), format=ns.format, svg=ns.svg or "",
                   top=ns.top, build=ns.build, budgets=limits, run_floor=ns.run_floor,
                   registry=_registry(ns.registry),
                   baseline=baseline)


class _Same(Exception):
    """IMAGE_A and IMAGE_B are one image: its Image."""

    def __init__(self, image: Image) -> None:
        super().__init__(image.id)
        self.image = image


def measure_all(engine: EngineAPI, cache: Cache, places: Places, o: Options) -> report.Report:
    """Steps 1 to 4: the report as one JSON value; _Same when there is
    nothing to compare."""
    name_a, name_b = o.images
    store = engine.store()
    images.ensure(engine, cache, places.root, places.state, o.images, o.build, store)
    found_a, found_b = engine.image(name_a), engine.image(name_b)
    if found_a is not None and found_b is not None and found_a.id == found_b.id:
        raise _Same(found_a)
    pool = gzsize.Pool()
    try:
        out.step("2/4 sizes: uncompressed from the engine, compressed by gzip per layer")
        if store == CONTAINERD:
            out.info("the engine keeps its images in containerd: layers are read compressed "
                     "and measured unpacked")
        a = measure.measure(engine, cache, pool, name_a, store)
        b = measure.measure(engine, cache, pool, name_b, store)
    finally:
        pool.close()
    if o.registry:
        for record, found in ((a, found_a), (b, found_b)):
            from_registry(record, found, o.registry)
    out.step(f"3/4 diff: what {name_b} removes, adds and changes of {name_a}")
    changes = diff.paths(cache, a, b)
    packages = diff.package_changes(diff.packages(cache, a), diff.packages(cache, b))
    out.step(f"4/4 floor: {name_b}'s binary and the shared libraries it loads")
    try:
        floor_files = floor.floor(engine, cache, b)
    except floor.NoFloor as why:
        out.warn(f"no floor for {name_b}: {why}")
        floor_files = []
    waste = [wasted.waste([cache.layer_files(layer["digest"]) for layer in i["layers"]], o.top)
             for i in (a, b)]
    settings = config_diff.compare({"config": found_a.config if found_a else {}},
                                   {"config": found_b.config if found_b else {}})
    return report.build(a, b, pool.describe(), changes, packages, floor_files, o.top,
                        waste, settings, store)


def from_registry(record: report.ImageRecord, image: Image | None, host: str) -> None:
    """The record's compressed sizes as the registry at HOST stores them, when
    the image was pushed there; else a warning, and gzip's estimate stays."""
    pushed = registry.pushed_as(image.repo_digests, host) if image else None
    if image is None or pushed is None:
        out.warn(f"{record['name']} was not pushed to {host}: its compressed size is gzip's estimate")
        return
    try:
        sizes = registry.layer_sizes(host, *pushed, image.id, image.arch, len(record["layers"]))
    except registry.NotThere as why:
        out.warn(f"{record['name']} in {host}: {why}; its compressed size is gzip's estimate")
        return
    for layer, size in zip(record["layers"], sizes):
        layer["compressed_bytes"] = size
        layer["compressed_by"] = f"registry {host}"
    record["compressed_bytes"] = sum(sizes)
    record["compressed_by"] = f"registry {host}"


def run_floor(engine: EngineAPI, cache: Cache, r: report.Report) -> report.FloorRun:
    """--run-floor: IMAGE_B's floor built as an image, and run."""
    b = r["images"][1]
    found = engine.image(b["id"])
    if not r["floor"] or found is None:
        raise Fatal(f"--run-floor: {b['name']} has no floor to build (see the warning above)")
    if not isinstance(engine, Engine):
        raise Fatal("--run-floor needs a Docker engine")
    _, paths = floor.closure([cache.layer_files(layer["digest"]) for layer in b["layers"]],
                             found.binary)
    name = ":".join(floor_image.name_for(b["name"]))
    out.step(f"floor image: {name}, FROM scratch with the floor's {len(paths)} paths; "
             "running it read-only, not as root, with no capabilities")
    floor_image.build(engine.api, b["id"], name, paths, found.config)
    return floor_image.run(engine.api, name, found.config)


def show(r: report.Report, o: Options, console: Console) -> None:
    if o.format == "json":
        print(json.dumps(r, indent=2, ensure_ascii=False))
    elif o.format == "markdown":
        sys.stdout.write(render.markdown(r))
    else:
        sys.stdout.write(render.text(r, console.stdout))
    sys.stdout.flush()
    if o.svg:
        svg.write(o.svg, svg.chart(r))
        out.info(f"bar chart written to {o.svg}")


def figures(r: report.Report) -> dict[str, budgets.Figures]:
    """What the budgets check, per image name."""
    return {i["name"]: {"size_bytes": i["size_bytes"], "compressed_bytes": i["compressed_bytes"],
                        "wasted_bytes": w["wasted_bytes"]} for i, w in zip(r["images"], r["wasted"])}


def figures_of_one(engine: EngineAPI, cache: Cache, image: Image, o: Options) -> budgets.Figures:
    """One image's figures: its layers are measured only when a budget asks
    for its compressed size or its wasted bytes."""
    if not {b.option for b in o.budgets} & {"--max-compressed", "--max-wasted"}:
        return {"size_bytes": image.size, "compressed_bytes": 0, "wasted_bytes": 0}
    pool = gzsize.Pool()
    try:
        record = measure.measure(engine, cache, pool, o.images[0], engine.store())
    finally:
        pool.close()
    waste = wasted.waste([cache.layer_files(layer["digest"]) for layer in record["layers"]])
    return {"size_bytes": image.size, "compressed_bytes": record["compressed_bytes"],
            "wasted_bytes": waste["wasted_bytes"]}


def show_same(image: Image, o: Options, one: budgets.Figures) -> int:
    """One image under two names: say so, check the budgets, draw no chart."""
    name_a, name_b = o.images
    results = budgets.evaluate(o.budgets, {name_a: one, name_b: one}, o.baseline)
    if o.format == "json":
        same: report.SameImage = {"same_image": True, "names": [name_a, name_b], "id": image.id,
                                  "size_bytes": image.size, "budgets": results}
        print(json.dumps(same, indent=2, ensure_ascii=False))
    else:
        print(f"{name_a} and {name_b} are the same image ({image.id[7:19]}, "
              f"{human_bytes(image.size)}): nothing to compare")
    sys.stdout.flush()
    if o.svg:
        out.info(f"no chart written to {o.svg}: one image, nothing to compare")
    return 0 if budgets.say(results) else 1


def run(o: Options, places: Places, console: Console,
        make_engine: Callable[[], EngineAPI]) -> int:
    # Only now: bad usage needs no engine, nor its SDK.
    try:
        from docker.errors import DockerException
    except ImportError:
        raise Fatal(NO_SDK) from None
    if o.svg:
        svg.check_writable(o.svg)      # before any work, as the budgets are
    if o.registry:
        registry.ping(o.registry)
    try:
        engine = make_engine()
        cache = Cache(os.path.join(places.state, "sizes"))
        try:
            r = measure_all(engine, cache, places, o)
        except _Same as same:
            return show_same(same.image, o, figures_of_one(engine, cache, same.image, o))
        if o.run_floor:
            r["floor_image"] = run_floor(engine, cache, r)
        r["budgets"] = budgets.evaluate(o.budgets, figures(r), o.baseline)
        show(r, o, console)
        # Said last, so that the report is there to explain a failure.
        held = budgets.say(r["budgets"])
        ran = r["floor_image"]
        if ran is not None and not ran["answered"]:
            out.error(f"the floor image {ran['image']} does not serve: {ran['why']}")
            return 1
        return 0 if held else 1
    except DockerException as e:    # what the engine answered, or could not
        raise Fatal(str(e)) from None


def main(argv: Sequence[str], environ: Mapping[str, str] | None = None,
         make_engine: Callable[[], EngineAPI] | None = None) -> int:
    """The exit status of compare-sizes.sh ARGV, run in ENVIRON (os.environ
    unless given); MAKE_ENGINE gives the engine (the Docker engine of ENVIRON
    unless given)."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    console = Console.from_environ(env)
    out.use(console)
    try:
        o = parse(argv, console.script_name)
    except UsageError as e:
        out.usage_line(str(e))
        return 2
    if o is None:
        sys.stdout.write(usage(console.script_name))
        return 0
    try:
        if o == "schema":
            return schema.main()
        return run(o, Places.from_environ(env), console,
                   make_engine or (lambda: Engine(env)))
    except BrokenPipeError:         # stdout's reader left (| head): as a shell's command would
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Fatal as e:
        out.error(str(e))
    except OSError as e:            # the engine's connection, the state directory
        out.error(str(e))
    except KeyboardInterrupt:
        return 130
    return 1
