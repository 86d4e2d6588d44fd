"""A horizontal bar chart: both sizes of both images, and the floor, on one
linear scale, with the numbers next to the bars."""
import os

from .out import Fatal
from .report import Report
from .units import human_bytes

LEFT, WIDTH, BAR, GAP, TOP = 250, 480, 26, 12, 50
COLOURS = {"a": "#c0392b", "a_gz": "#e6a19a", "b": "#2471a3", "b_gz": "#9cc3e0",
           "floor": "#27ae60"}


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def bars(r: Report) -> list[tuple[str, int, str]]:
    """(label, bytes, colour) per bar."""
    a, b = r["images"]
    rows = [(f"{a['name']} uncompressed", a["size_bytes"], COLOURS["a"]),
            (f"{a['name']} compressed", a["compressed_bytes"], COLOURS["a_gz"]),
            (f"{b['name']} uncompressed", b["size_bytes"], COLOURS["b"]),
            (f"{b['name']} compressed", b["compressed_bytes"], COLOURS["b_gz"])]
    if r["floor_bytes"]:
        rows.append(("floor: binary + libraries", r["floor_bytes"], COLOURS["floor"]))
    return rows


def chart(r: Report) -> str:
    """The SVG document, as text."""
    a, b = r["images"]
    peak = max(a["size_bytes"], b["size_bytes"])
    rows = bars(r)
    total_width, height = LEFT + WIDTH + 110, TOP + len(rows) * (BAR + GAP) + 30
    title = f"Image sizes: {a['name']} vs {b['name']} (1 MB = 10^6 bytes)"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_width}" height="{height}" '
           f'viewBox="0 0 {total_width} {height}" font-family="sans-serif" font-size="14">',
           '  <rect width="100%" height="100%" fill="#ffffff"/>',
           f'  <text x="16" y="28" font-size="16" font-weight="bold">{esc(title)}</text>']
    for i, (label, size, colour) in enumerate(rows):
        y = TOP + i * (BAR + GAP)
        w = size / peak * WIDTH if peak > 0 else 0
        if size > 0 and w < 2:
            w = 2
        text_y = y + BAR // 2 + 5
        out += [f'  <text x="{LEFT - 10}" y="{text_y}" text-anchor="end">{esc(label)}</text>',
                f'  <rect x="{LEFT}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{colour}">'
                f'<title>{esc(label)}: {size} bytes</title></rect>',
                f'  <text x="{LEFT + w + 8:.1f}" y="{text_y}">{esc(human_bytes(size))}</text>']
    out += [f'  <text x="16" y="{height - 12}" font-size="12" fill="#555555">compressed: each layer '
            'gzipped (level 6), what a docker push transfers</text>', "</svg>"]
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
