"""A horizontal bar chart: both sizes of both images, and the floor, on one
linear scale, with the numbers next to the bars. The canvas is as wide as
its text: the labels' column, the title and the footnote are measured (an
estimate that errs wide: no font is at hand), and a long image name is cut
in its middle to fit MAX_NAME characters."""
import os

from .out import Fatal
from .report import Report
from .units import human_bytes

WIDTH, BAR, GAP, TOP, MARGIN = 480, 26, 12, 50, 16
FONT, TITLE_FONT, NOTE_FONT = 14, 16, 12
MAX_NAME = 40
# Widest advance of a sans-serif character for its size (DejaVu Sans's
# digits and capitals are about 0.64 em; bold about 0.7): an upper bound,
# so that the text never runs off the canvas.
EM, BOLD_EM = 0.64, 0.7
VALUE_ROOM = 100            # right of the longest bar: "1000.0 MB"
COLOURS = {"a": "#c0392b", "a_gz": "#e6a19a", "b": "#2471a3", "b_gz": "#9cc3e0",
           "floor": "#27ae60"}
NOTE = "compressed: each layer gzipped (level 6, estimated), what a docker push transfers"


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_width(text: str, size: int, bold: bool = False) -> float:
    """How wide TEXT may be drawn at SIZE pixels: never narrower than it is."""
    return len(text) * size * (BOLD_EM if bold else EM)


def short_name(name: str, limit: int = MAX_NAME) -> str:
    """NAME in at most LIMIT characters, cut in its middle (the tag stays)."""
    if len(name) <= limit:
        return name
    keep = limit - 1
    return name[:keep - keep // 2] + "…" + name[len(name) - keep // 2:]


def bars(r: Report) -> list[tuple[str, int, str]]:
    """(label, bytes, colour) per bar."""
    a, b = (short_name(i["name"]) for i in r["images"])
    sizes = r["images"]
    rows = [(f"{a} uncompressed", sizes[0]["size_bytes"], COLOURS["a"]),
            (f"{a} compressed", sizes[0]["compressed_bytes"], COLOURS["a_gz"]),
            (f"{b} uncompressed", sizes[1]["size_bytes"], COLOURS["b"]),
            (f"{b} compressed", sizes[1]["compressed_bytes"], COLOURS["b_gz"])]
    if r["floor_bytes"]:
        rows.append(("floor: binary + libraries", r["floor_bytes"], COLOURS["floor"]))
    return rows


def title(r: Report) -> str:
    a, b = (short_name(i["name"]) for i in r["images"])
    return f"Image sizes: {a} vs {b} (1 MB = 10⁶ bytes)"


def chart(r: Report) -> str:
    """The SVG document, as text."""
    a, b = r["images"]
    peak = max(a["size_bytes"], b["size_bytes"])
    rows = bars(r)
    left = MARGIN + max(text_width(label, FONT) for label, _, _ in rows) + 10
    heading = title(r)
    total_width = int(max(left + WIDTH + VALUE_ROOM,
                          MARGIN + text_width(heading, TITLE_FONT, bold=True) + MARGIN,
                          MARGIN + text_width(NOTE, NOTE_FONT) + MARGIN)) + 1
    height = TOP + len(rows) * (BAR + GAP) + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_width}" height="{height}" '
           f'viewBox="0 0 {total_width} {height}" font-family="sans-serif" font-size="{FONT}">',
           '  <rect width="100%" height="100%" fill="#ffffff"/>',
           f'  <text x="{MARGIN}" y="28" font-size="{TITLE_FONT}" font-weight="bold">'
           f'{esc(heading)}</text>']
    for i, (label, size, colour) in enumerate(rows):
        y = TOP + i * (BAR + GAP)
        w = size / peak * WIDTH if peak > 0 else 0
        if size > 0 and w < 2:
            w = 2
        text_y = y + BAR // 2 + 5
        out += [f'  <text x="{left - 10:.1f}" y="{text_y}" text-anchor="end">{esc(label)}</text>',
                f'  <rect x="{left:.1f}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{colour}">'
                f'<title>{esc(label)}: {size} bytes</title></rect>',
                f'  <text x="{left + w + 8:.1f}" y="{text_y}">{esc(human_bytes(size))}</text>']
    out += [f'  <text x="{MARGIN}" y="{height - 12}" font-size="{NOTE_FONT}" fill="#555555">'
            f'{NOTE}</text>', "</svg>"]
    return "\n".join(out) + "\n"


def check_writable(path: str) -> None:
    """Fatal, with the system's reason, when the chart could not be written to
    PATH: checked before any work, by creating (and removing) its temporary file."""
    if os.path.isdir(path):
        raise Fatal(f"--svg {path}: cannot write the chart there: it is a directory")
    try:
        with open(path + ".tmp", "w", encoding="utf-8"):
            pass
        os.remove(path + ".tmp")
    except OSError as e:
        raise Fatal(f"--svg {path}: cannot write the chart there: {e.strerror}") from None


def write(path: str, document: str) -> None:
    """Write DOCUMENT to PATH whole (through a temporary file), or Fatal."""
    try:
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(document)
        os.replace(path + ".tmp", path)
    except OSError as e:
        raise Fatal(f"--svg {path}: cannot write the chart there: {e.strerror}") from None
