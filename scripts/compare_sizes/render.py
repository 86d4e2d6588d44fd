"""The report for people: lined-up text (the default) or Markdown tables."""
import re
from collections.abc import Iterator
from typing import NamedTuple

from .engine import CONTAINERD
from .out import Style
from .report import ImageRecord, PathBytes, Report, ratio
from .units import human_bytes as hb

MAX_INSTRUCTION = 72


def tsv(text: str) -> str:
    """Control characters shown as escapes, so that one entry stays one line."""
    return (text.replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\n", "\\n").replace("\r", "\\r"))


# A digest in an instruction (COPY file:8119e3...): its first 12 digits tell it apart.
_HASH = re.compile(r"\b((?:file|dir|multi|sha256):[0-9a-f]{12})[0-9a-f]{8,}")
TAIL = 28


def shorten(text: str, width: int = MAX_INSTRUCTION) -> str:
    """TEXT in at most WIDTH characters: first its hashes shortened, then its
    middle cut, so that the end (a COPY's destination) stays."""
    if len(text) <= width:
        return text
    text = _HASH.sub(r"\1...", text)
    if len(text) <= width:
        return text
    return text[:width - 3 - TAIL] + "..." + text[-TAIL:]


def plural(n: int, one: str, many: str = "") -> str:
    """ONE for 1, else MANY (ONE + "s" unless given)."""
    return one if n == 1 else many or one + "s"


def kinds(names: list[str]) -> str:
    """The kinds of instructions, in order of first use, each with its count
    when more than one: "2 ENV, LABEL, CMD"."""
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(name if n == 1 else f"{n} {name}" for name, n in counts.items())


def times(ratio: float | None, sign: str = "x") -> str:
    """A ratio as "16.1x"; "?x" when there is none (an image of no bytes)."""
    return "?" + sign if ratio is None else f"{ratio:.1f}{sign}"


class Comparison(NamedTuple):
    """The two images, the larger first (uncompressed): how many times the
    smaller it is, and by how many bytes."""
    larger: str
    smaller: str
    a_larger: bool
    ratio: float | None
    compressed_ratio: float | None
    bytes: int
    compressed_bytes: int


def compare(r: Report) -> Comparison:
    """The report's figures, told from the larger image, whichever it is: an
    A smaller than B reads "B is 16.1x the size of A", never "A is 0.1x"."""
    a, b = r["images"]
    if a["size_bytes"] >= b["size_bytes"]:
        return Comparison(a["name"], b["name"], True, r["ratio"], r["compressed_ratio"],
                          r["saved_bytes"], r["saved_compressed_bytes"])
    return Comparison(b["name"], a["name"], False, ratio(b["size_bytes"], a["size_bytes"]),
                      ratio(b["compressed_bytes"], a["compressed_bytes"]),
                      -r["saved_bytes"], -r["saved_compressed_bytes"])


def uncompressed_means(r: Report) -> str:
    """What the uncompressed column counts, on the engine's image store."""
    if r["store"] == CONTAINERD:
        return "uncompressed: the layers unpacked, as the classic store's docker images counts them"
    return "uncompressed: as docker images shows, the engine's .Size"


def listed_line(r: Report) -> str:
    """On the containerd store, what its `docker images` shows instead."""
    sizes = ", ".join(f"{i['name']} {'?' if i['listed_bytes'] is None else hb(i['listed_bytes'])}"
                      + ("" if i["content_bytes"] is None else f" (content {hb(i['content_bytes'])})")
                      for i in r["images"])
    return (f"this engine keeps images in containerd: its docker images shows {sizes} "
            "(the content as stored and the unpacked layers together)")


def exact(r: Report) -> bool:
    """Whether some compressed size is exact, from a registry or the content
    store (then each is labelled)."""
    return any(i["compressed_by"] != "gzip" for i in r["images"])


def exact_layers(image: ImageRecord) -> bool:
    """Whether some of the image's layers have an exact compressed size (then
    its layer table says where each comes from)."""
    return any(layer["compressed_by"] != "gzip" for layer in image["layers"])


def _summary(r: Report, bold: str, reset: str) -> Iterator[str]:
    a, b = r["images"]
    w = max(len(a["name"]), len(b["name"]), 5)
    row = "  {:<{w}}  {:>12}  {:>14}  {:>12}  {:>6}"
    if exact(r):
        yield (f"{bold}Sizes{reset} ({uncompressed_means(r)}; "
               "compressed: as the registry or the content store holds the layers, "
               "or gzipped: an estimate)")
        row += "  {}"
    else:
        yield (f"{bold}Sizes{reset} ({uncompressed_means(r)}; "
               "compressed: the layers gzipped (estimated), what a push transfers)")
    yield ""
    yield row.format("image", "uncompressed", "(bytes)", "compressed", "layers", "compressed by",
                     w=w).rstrip()
    for i in (a, b):
        yield row.format(i["name"], hb(i["size_bytes"]), i["size_bytes"], hb(i["compressed_bytes"]),
                         len(i["layers"]), i["compressed_by"], w=w).rstrip()
    yield ""
    if r["store"] == CONTAINERD:
        yield f"  {listed_line(r)}"
        yield ""
    c = compare(r)
    yield (f"  {c.larger} is {times(c.ratio)} the size of {c.smaller} uncompressed "
           f"({times(c.compressed_ratio)} compressed)")
    if c.a_larger:
        yield f"  saved: {hb(c.bytes)} uncompressed, {hb(c.compressed_bytes)} compressed"
    else:
        yield (f"  {c.larger} is larger by {hb(c.bytes)} uncompressed, "
               f"{hb(c.compressed_bytes)} compressed")


def _layers(image: ImageRecord, bold: str, dim: str, reset: str) -> Iterator[str]:
    yield ""
    yield f"{bold}Layers of {image['name']}{reset} (oldest first; uncompressed and compressed)"
    sources = [layer["compressed_by"] for layer in image["layers"]]
    # Where each compressed size comes from, when not all are gzip's estimate.
    w = max(map(len, ["compressed by", *sources])) if exact_layers(image) else 0
    source = "  {:<{w}}" if w else "{:.0}"
    yield ("  {:>12}  {:>12}" + source + "  {}").format(
        "uncompressed", "compressed", "compressed by", "instruction", w=w)
    for layer in image["layers"]:
        size = "?" if layer["size_bytes"] is None else hb(layer["size_bytes"])
        what = shorten(tsv(layer["instruction"]))
        yield ("  {:>12}  {:>12}" + source + "  {}").format(
            size, hb(layer["compressed_bytes"]), layer["compressed_by"], what, w=w)
    count = image["metadata_only"]
    if count > 0:
        yield (f"  {dim}{count} more {plural(count, 'instruction')} ({kinds(image['metadata_kinds'])}) "
               f"only {plural(count, 'changes', 'change')} the config: no layer{reset}")


def signed(n: int) -> str:
    """A change of N bytes: "+1.2 MB", "-3 B", "0 B"."""
    return ("+" if n > 0 else "") + hb(n)


def _paths(title: str, rows: list[PathBytes], total: str, sign: bool = False) -> Iterator[str]:
    size = signed if sign else hb
    yield ""
    yield title
    for d in rows:
        yield f"  {size(d['bytes']):>12}  {tsv(d['path'])}"
    yield total


def _where(r: Report, bold: str, reset: str) -> Iterator[str]:
    a, b = (i["name"] for i in r["images"])
    yield from _paths(f"{bold}Where the bytes went{reset}: paths in {a} and not in {b} "
                      "(uncompressed, by directory)", r["diff"],
                      f"  {hb(r['diff_total_bytes']):>12}  all {a} paths that {b} does not have")
    yield from _paths(f"{bold}What {b} adds{reset}: paths in {b} and not in {a}", r["added"],
                      f"  {hb(r['added_total_bytes']):>12}  all {b} paths that {a} does not have")
    yield from _paths(f"{bold}What {b} changes{reset}: paths in both of another size "
                      f"({b}'s bytes minus {a}'s)", r["changed"],
                      f"  {signed(r['changed_total_bytes']):>12}  all paths in both, changed",
                      sign=True)
    packages = ((f"{bold}The same by package{reset}: Debian packages in {a} and not in {b} "
                 "(dpkg's Installed-Size)", r["diff_packages"]),
                (f"{bold}Packages {b} adds{reset}: in {b} and not in {a}", r["added_packages"]))
    for title, found in packages:
        if found:
            yield ""
            yield title
            yield from (f"  {hb(p['bytes']):>12}  {tsv(p['package'])} {tsv(p['version'])}"
                        for p in found)
    if r["changed_packages"]:
        yield ""
        yield f"{bold}Packages at another version{reset}: {a}'s, then {b}'s"
        for c in r["changed_packages"]:
            yield (f"  {signed(c['bytes_b'] - c['bytes_a']):>12}  {tsv(c['package'])} "
                   f"{tsv(c['version_a'])} -> {tsv(c['version_b'])}")


def _wasted(r: Report, bold: str, reset: str) -> Iterator[str]:
    if not r["wasted"]:
        return
    yield ""
    yield (f"{bold}Wasted bytes{reset}: what the layers carry but a later layer overwrote or "
           "deleted (and dive's efficiency score)")
    for image, w in zip(r["images"], r["wasted"]):
        yield f"  {hb(w['wasted_bytes']):>12}  {image['name']} (efficiency {100 * w['efficiency']:.1f} %)"
        for o in w["offenders"][:5]:
            yield (f"  {hb(o['bytes']):>12}    {tsv(o['path'])} "
                   f"({o['how']} by layer {o['layer'] + 1})")


def _settings(r: Report, bold: str, reset: str) -> Iterator[str]:
    a, b = (i["name"] for i in r["images"])
    width = max((len(s["name"]) for s in r["settings"]), default=0)
    if not r["settings"]:
        return
    yield ""
    yield f"{bold}Settings{reset}: how a container of each image runs (from its config)"
    for s in r["settings"]:
        if s["same"]:
            yield f"  {s['name']:<{width}}  both: {shorten(tsv(s['a']))}"
        else:
            yield f"  {s['name']:<{width}}  {a}: {shorten(tsv(s['a']))}"
            yield f"  {'':<{width}}  {b}: {shorten(tsv(s['b']))}"


def _floor(r: Report, bold: str, reset: str) -> Iterator[str]:
    b = r["images"][1]
    yield ""
    yield (f"{bold}The floor{reset}: {b['name']}'s binary and the shared libraries "
           "it loads (uncompressed)")
    for f in r["floor"]:
        yield f"  {hb(f['bytes']):>12}  {tsv(f['path'])}"
    floor = r["floor_bytes"] or 0
    if floor == 0:
        yield "  {:>12}  (not measured: see the warning above)".format("unknown")
        return
    yield f"  {hb(floor):>12}  total: the smallest image that could run it"
    yield (f"  {b['name']} is {hb(b['size_bytes'] - floor)} above the floor "
           f"({b['size_bytes'] / floor:.1f}x it)")
    ran = r["floor_image"]
    if ran is not None:
        how = f"run read-only as {ran['user']} with no capabilities"
        result = f"GET / answered {ran['status']}" if ran["answered"] else f"it failed: {ran['why']}"
        yield f"  {hb(ran['size_bytes']):>12}  {tsv(ran['image'])}, built from the floor, {how}: {result}"


def text(r: Report, style: Style) -> str:
    """The whole text report; STYLE has the bold, dim and reset sequences (or '')."""
    bold, dim, reset = style.bold, style.dim, style.reset
    lines = [*_summary(r, bold, reset)]
    for image in r["images"]:
        lines += _layers(image, bold, dim, reset)
    lines += _where(r, bold, reset)
    lines += _wasted(r, bold, reset)
    lines += _settings(r, bold, reset)
    lines += _floor(r, bold, reset)
    return "\n".join(lines) + "\n"


def cell(text: str) -> str:
    """TEXT fit for one table cell: one line, its pipes escaped (GitHub's
    tables split on them, even in code spans)."""
    return tsv(text).replace("|", "\\|")


def code(text: str) -> str:
    """TEXT as a code span in a table cell, fenced by more backticks than it holds."""
    text = cell(text)
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if fence != "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_layers(image: ImageRecord) -> list[str]:
    by = exact_layers(image)
    rows = [f"| {code(shorten(layer['instruction']))} "
            f"| {'?' if layer['size_bytes'] is None else hb(layer['size_bytes'])} "
            f"| {hb(layer['compressed_bytes'])} |"
            + (f" {cell(layer['compressed_by'])} |" if by else "") for layer in image["layers"]]
    return ["", f"| layer of `{image['name']}` (oldest first) | uncompressed | compressed |"
            + (" compressed by |" if by else ""),
            "| --- | ---: | ---: |" + (" --- |" if by else ""), *rows]


def _md_paths(heading: str, rows: list[PathBytes], total: int, sign: bool = False) -> list[str]:
    size = signed if sign else hb
    return ["", f"| {heading} | uncompressed |", "| --- | ---: |",
            *[f"| {code(d['path'])} | {size(d['bytes'])} |" for d in rows],
            f"| all of them | {size(total)} |"]


def _md_packages(r: Report, a: str, b: str) -> list[str]:
    lines: list[str] = []
    for heading, found in ((f"Debian package in `{a}`, not in `{b}`", r["diff_packages"]),
                           (f"Debian package in `{b}`, not in `{a}`", r["added_packages"])):
        if found:
            lines += ["", f"| {heading} | version | Installed-Size |", "| --- | --- | ---: |"]
            lines += [f"| {code(p['package'])} | {cell(p['version'])} | {hb(p['bytes'])} |"
                      for p in found]
    if r["changed_packages"]:
        lines += ["", f"| package at another version | `{a}` | `{b}` | Installed-Size |",
                  "| --- | --- | --- | ---: |"]
        lines += [f"| {code(c['package'])} | {cell(c['version_a'])} | {cell(c['version_b'])} "
                  f"| {signed(c['bytes_b'] - c['bytes_a'])} |" for c in r["changed_packages"]]
    return lines


def markdown(r: Report) -> str:
    """The report as Markdown tables, for the docs and pull requests."""
    a, b = r["images"]
    lines = [("Uncompressed: the size `docker images` shows." if r["store"] != CONTAINERD else
              f"Uncompressed: the layers unpacked; {listed_line(r)}.") +
             (" Compressed: as the registry or the content store holds the layers, or gzipped "
              "(an estimate), as labelled." if exact(r) else
              " Compressed: the layers gzipped (estimated), what a push transfers.")
             + " 1 MB = 10^6 bytes.", "",
             "| image | uncompressed | compressed | layers |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| `{i['name']}` | {hb(i['size_bytes'])} | {hb(i['compressed_bytes'])}"
              + (f" ({i['compressed_by']})" if exact(r) else "")
              + f" | {len(i['layers'])} |" for i in (a, b)]
    if r["floor_bytes"]:
        lines.append(f"| floor: binary + its libraries | {hb(r['floor_bytes'])} | | |")
    c = compare(r)
    verdict = "saved" if c.a_larger else "more"
    lines += ["", f"`{c.larger}` is {times(c.ratio, '×')} `{c.smaller}` "
              f"({times(c.compressed_ratio, '×')} compressed): {hb(c.bytes)} {verdict}, "
              f"{hb(c.compressed_bytes)} compressed."]
    lines += _md_layers(a) + _md_layers(b)
    names = f"`{a['name']}`", f"`{b['name']}`"
    lines += _md_paths(f"in {names[0]}, not in {names[1]}", r["diff"], r["diff_total_bytes"])
    lines += _md_paths(f"in {names[1]}, not in {names[0]}", r["added"], r["added_total_bytes"])
    lines += _md_paths(f"in both, changed: {names[1]}'s bytes minus {names[0]}'s", r["changed"],
                       r["changed_total_bytes"], sign=True)
    lines += _md_packages(r, a["name"], b["name"])
    if r["wasted"]:
        lines += ["", "| image | wasted: overwritten or deleted by a later layer | efficiency (dive) |",
                  "| --- | ---: | ---: |"]
        lines += [f"| `{i['name']}` | {hb(w['wasted_bytes'])} | {100 * w['efficiency']:.1f} % |"
                  for i, w in zip(r["images"], r["wasted"])]
    if r["settings"]:
        lines += ["", f"| setting | `{a['name']}` | `{b['name']}` |", "| --- | --- | --- |"]
        lines += [f"| {s['name']} | {code(s['a'])} | {code(s['b'])} |" for s in r["settings"]]
    return "\n".join(lines) + "\n"
