import shutil
import struct
import subprocess
import unittest
import zlib
import xml.etree.ElementTree as ET

import fixture  # noqa: F401
from compare_sizes import render, report, svg
from compare_sizes.out import PLAIN, Style


def image(name, size, gz, layers, kinds=(), listed=None):
    for layer in layers:
        layer.setdefault("compressed_by", "gzip")
    return {"version": name.split(":")[1], "name": name, "id": "sha256:" + name, "size_bytes": size,
            "compressed_bytes": gz, "compressed_by": "gzip", "estimated_compressed_bytes": gz,
            "content_bytes": None,
            "listed_bytes": size if listed is None else listed, "layers": layers, "metadata_only": len(kinds),
            "metadata_kinds": list(kinds)}


HASH = "8119e3" + "a" * 58


def sample(floor_files=None, packages=None):
    a = image("fat:v1", 1207770528, 422449969, [
        {"digest": "d1", "instruction": "(imported) base", "size_bytes": 1207275829, "compressed_bytes": 422277312},
        {"digest": "d2", "instruction": f"COPY file:{HASH} in /hello", "size_bytes": None,
         "compressed_bytes": 140}], kinds=["ENV", "LABEL", "ENV", "EXPOSE", "ENV", "CMD", "USER"])
    b = image("slim:v2", 74856691, 28431255, [
        {"digest": "d3", "instruction": "RUN a\tb", "size_bytes": 74856691,
         "compressed_bytes": 28431255}])
    floor = floor_files if floor_files is not None else [
        {"path": "/usr/lib/x86_64-linux-gnu/libc.so.6", "bytes": 1922136},
        {"path": "/usr/local/bin/app", "bytes": 362464}]
    paths = report.PathChanges(
        removed=(1132029363, [("/usr/lib/gcc", 321287052), ("/usr/bin", 110607386),
                              ("/usr/share/doc", 49302000)]),
        added=(362464, [("/usr/local/bin", 362464)]),
        changed=(-4096, [("/var/lib/dpkg", -5000), ("/etc", 904)]))
    removed = packages if packages is not None else [
        {"package": "libgo-12-dev", "version": "12.2.0-14", "bytes": 118947840},
        {"package": "gcc-12", "version": "12.2.0-14", "bytes": 69906432}]
    changed = [{"package": "base-files", "version_a": "12.4", "version_b": "12.4+deb12u1",
                "bytes_a": 396288, "bytes_b": 397312}] if packages is None else []
    return report.build(a, b, "gzip -6 with zlib on 2 CPUs", paths,
                        report.PackageChanges(removed, [], changed), floor, 2)


NO_CHANGES = report.PathChanges((0, []), (0, []), (0, []))
NO_PACKAGES = report.PackageChanges([], [], [])


class Stores(unittest.TestCase):
    def test_the_classic_store_labels_the_engines_size(self):
        text = render.text(sample(), PLAIN)
        self.assertIn("Sizes (uncompressed: as docker images shows, the engine's .Size; compressed:", text)
        self.assertNotIn("containerd", text + render.markdown(sample()))

    def test_the_containerd_store_says_what_its_docker_images_shows(self):
        r = sample()
        r["store"] = "containerd"
        r["images"][0]["listed_bytes"] = 2512000000
        r["images"][0]["content_bytes"] = 1250000000
        r["images"][1]["listed_bytes"] = None
        text = render.text(r, PLAIN)
        self.assertIn("Sizes (uncompressed: the layers unpacked, as the classic store's docker images "
                      "counts them; compressed:", text)
        line = ("this engine keeps images in containerd: its docker images shows fat:v1 2.5 GB "
                "(content 1.2 GB), slim:v2 ? (the content as stored and the unpacked layers together)")
        self.assertIn(f"\n  {line}\n", text)
        self.assertIn(f"Uncompressed: the layers unpacked; {line}.", render.markdown(r))


class Report(unittest.TestCase):
    def test_the_figures(self):
        r = sample()
        self.assertAlmostEqual(r["ratio"], 1207770528 / 74856691)
        self.assertEqual(r["saved_bytes"], 1207770528 - 74856691)
        self.assertEqual(r["saved_compressed_bytes"], 422449969 - 28431255)
        self.assertEqual(r["floor_bytes"], 1922136 + 362464)
        self.assertEqual([d["path"] for d in r["diff"]], ["/usr/lib/gcc", "/usr/bin"])
        self.assertEqual(r["diff_packages"][0], {"package": "libgo-12-dev", "version": "12.2.0-14",
                                                 "bytes": 118947840})
        self.assertEqual((r["added_total_bytes"], r["added"]), (362464, [{"path": "/usr/local/bin",
                                                                          "bytes": 362464}]))
        self.assertEqual((r["changed_total_bytes"], [c["bytes"] for c in r["changed"]]), (-4096, [-5000, 904]))
        self.assertIsNone(sample(floor_files=[])["floor_bytes"])

    def test_an_image_with_no_layers_has_no_ratio_and_is_shown(self):
        a = image("fat:v1", 1000, 400, [{"digest": "d1", "instruction": "RUN a", "size_bytes": 1000,
                                         "compressed_bytes": 400}])
        empty = image("scratch:v1", 0, 0, [])
        r = report.build(a, empty, "gzip", report.PathChanges((1000, [("/a", 1000)]), (0, []), (0, [])),
                         NO_PACKAGES, [], 12)
        self.assertEqual((r["ratio"], r["compressed_ratio"], r["saved_bytes"]), (None, None, 1000))
        self.assertIn("  fat:v1 is ?x the size of scratch:v1 uncompressed (?x compressed)\n",
                      render.text(r, PLAIN))
        self.assertIn("`fat:v1` is ?× `scratch:v1` (?× compressed)", render.markdown(r))
        self.assertEqual(report.build(empty, a, "gzip", NO_CHANGES, NO_PACKAGES, [], 12)["ratio"], 0.0)


class Text(unittest.TestCase):
    def test_the_summary_lines_up(self):
        lines = render.text(sample(), PLAIN).splitlines()
        self.assertEqual(lines[2], "  image    uncompressed         (bytes)    compressed  layers")
        self.assertEqual(lines[3], "  fat:v1         1.2 GB      1207770528      422.4 MB       2")
        self.assertEqual(lines[4], "  slim:v2       74.9 MB        74856691       28.4 MB       1")
        self.assertEqual(lines[6], "  fat:v1 is 16.1x the size of slim:v2 uncompressed (14.9x compressed)")
        self.assertEqual(lines[7], "  saved: 1.1 GB uncompressed, 394.0 MB compressed")

    def test_a_smaller_a_is_told_from_the_larger_image(self):
        r = sample()
        a, b = r["images"]
        swapped = report.build(b, a, "gzip", NO_CHANGES, NO_PACKAGES, [], 2)
        lines = render.text(swapped, PLAIN).splitlines()
        self.assertEqual(lines[6], "  fat:v1 is 16.1x the size of slim:v2 uncompressed (14.9x compressed)")
        self.assertEqual(lines[7], "  fat:v1 is larger by 1.1 GB uncompressed, 394.0 MB compressed")
        self.assertNotIn("-", lines[6] + lines[7])
        self.assertIn("`fat:v1` is 16.1× `slim:v2` (14.9× compressed): 1.1 GB more, 394.0 MB compressed.",
                      render.markdown(swapped))
        self.assertIn("`fat:v1` is 16.1× `slim:v2` (14.9× compressed): 1.1 GB saved, 394.0 MB compressed.",
                      render.markdown(r))

    def test_layers_sections(self):
        text = render.text(sample(), PLAIN)
        self.assertIn("\nLayers of fat:v1 (oldest first; uncompressed and compressed)\n"
                      "  uncompressed    compressed  instruction\n"
                      "        1.2 GB      422.3 MB  (imported) base\n"
                      "             ?         140 B  COPY file:8119e3aaaaaa... in /hello\n"
                      "  7 more instructions (3 ENV, LABEL, EXPOSE, CMD, USER) only change the config: "
                      "no layer\n", text)
        self.assertNotIn("more instruction", text.split("Layers of slim:v2")[1])
        self.assertIn("       74.9 MB       28.4 MB  RUN a\\tb\n", text)

    def test_one_more_instruction_is_singular(self):
        r = sample()
        r["images"][1]["metadata_only"], r["images"][1]["metadata_kinds"] = 1, ["CMD"]
        self.assertIn("\n  1 more instruction (CMD) only changes the config: no layer\n",
                      render.text(r, PLAIN))

    def test_a_long_instruction_keeps_its_end(self):
        self.assertEqual(render.shorten("RUN short"), "RUN short")
        copy = f"COPY multi:{HASH} in /usr/local/share/askeladden/"
        self.assertEqual(render.shorten(copy), "COPY multi:8119e3aaaaaa... in /usr/local/share/askeladden/")
        long_run = "RUN " + " && ".join(f"step{n}" for n in range(30)) + " in /dest"
        cut = render.shorten(long_run)
        self.assertEqual(len(cut), render.MAX_INSTRUCTION)
        self.assertTrue(cut.startswith("RUN step0 && ") and cut.endswith("step29 in /dest"), cut)
        self.assertIn("...", cut)

    def test_diff_packages_and_floor(self):
        text = render.text(sample(), PLAIN)
        self.assertIn("\nWhere the bytes went: paths in fat:v1 and not in slim:v2 (uncompressed, by directory)\n"
                      "      321.3 MB  /usr/lib/gcc\n      110.6 MB  /usr/bin\n"
                      "        1.1 GB  all fat:v1 paths that slim:v2 does not have\n", text)
        self.assertIn("\nWhat slim:v2 adds: paths in slim:v2 and not in fat:v1\n"
                      "      362.5 kB  /usr/local/bin\n"
                      "      362.5 kB  all slim:v2 paths that fat:v1 does not have\n", text)
        self.assertIn("\nWhat slim:v2 changes: paths in both of another size (slim:v2's bytes minus fat:v1's)\n"
                      "       -5.0 kB  /var/lib/dpkg\n        +904 B  /etc\n"
                      "       -4.1 kB  all paths in both, changed\n", text)
        self.assertIn("\nThe same by package: Debian packages in fat:v1 and not in slim:v2 (dpkg's Installed-Size)\n"
                      "      118.9 MB  libgo-12-dev 12.2.0-14\n       69.9 MB  gcc-12 12.2.0-14\n", text)
        self.assertIn("\nPackages at another version: fat:v1's, then slim:v2's\n"
                      "       +1.0 kB  base-files 12.4 -> 12.4+deb12u1\n", text)
        self.assertNotIn("Packages slim:v2 adds", text)
        self.assertTrue(text.endswith(
            "        2.3 MB  total: the smallest image that could run it\n"
            "  slim:v2 is 72.6 MB above the floor (32.8x it)\n"))

    def test_no_floor_and_no_packages(self):
        text = render.text(sample(floor_files=[], packages=[]), PLAIN)
        self.assertTrue(text.endswith("       unknown  (not measured: see the warning above)\n"))
        self.assertNotIn("The same by package", text)

    def test_headings_in_bold_when_asked(self):
        text = render.text(sample(), Style(bold="<b>", dim="<d>", reset="</>"))
        self.assertTrue(text.startswith("<b>Sizes</> (uncompressed"))
        self.assertIn("<b>The floor</>: slim:v2's", text)


class Markdown(unittest.TestCase):
    def test_the_body(self):
        self.assertEqual(render.markdown(sample()), "\n".join([
            "Uncompressed: the size `docker images` shows. Compressed: the layers gzipped (estimated), what "
            "a push transfers. 1 MB = 10^6 bytes.", "",
            "| image | uncompressed | compressed | layers |", "| --- | ---: | ---: | ---: |",
            "| `fat:v1` | 1.2 GB | 422.4 MB | 2 |", "| `slim:v2` | 74.9 MB | 28.4 MB | 1 |",
            "| floor: binary + its libraries | 2.3 MB | | |", "",
            "`fat:v1` is 16.1× `slim:v2` (14.9× compressed): 1.1 GB saved, 394.0 MB compressed.", "",
            "| layer of `fat:v1` (oldest first) | uncompressed | compressed |", "| --- | ---: | ---: |",
            "| `(imported) base` | 1.2 GB | 422.3 MB |",
            "| `COPY file:8119e3aaaaaa... in /hello` | ? | 140 B |", "",
            "| layer of `slim:v2` (oldest first) | uncompressed | compressed |", "| --- | ---: | ---: |",
            "| `RUN a\\tb` | 74.9 MB | 28.4 MB |", "",
            "| in `fat:v1`, not in `slim:v2` | uncompressed |", "| --- | ---: |",
            "| `/usr/lib/gcc` | 321.3 MB |", "| `/usr/bin` | 110.6 MB |", "| all of them | 1.1 GB |", "",
            "| in `slim:v2`, not in `fat:v1` | uncompressed |", "| --- | ---: |",
            "| `/usr/local/bin` | 362.5 kB |", "| all of them | 362.5 kB |", "",
            "| in both, changed: `slim:v2`'s bytes minus `fat:v1`'s | uncompressed |", "| --- | ---: |",
            "| `/var/lib/dpkg` | -5.0 kB |", "| `/etc` | +904 B |", "| all of them | -4.1 kB |", "",
            "| Debian package in `fat:v1`, not in `slim:v2` | version | Installed-Size |",
            "| --- | --- | ---: |",
            "| `libgo-12-dev` | 12.2.0-14 | 118.9 MB |", "| `gcc-12` | 12.2.0-14 | 69.9 MB |", "",
            "| package at another version | `fat:v1` | `slim:v2` | Installed-Size |",
            "| --- | --- | --- | ---: |", "| `base-files` | 12.4 | 12.4+deb12u1 | +1.0 kB |", ""]))

    def test_exact_sizes_are_labelled_and_estimates_then_too(self):
        r = sample()
        self.assertNotIn("compressed by", render.text(r, PLAIN))
        r["images"][1]["compressed_by"] = "registry localhost:32000"
        r["images"][1]["layers"][0]["compressed_by"] = "registry localhost:32000"
        text = render.text(r, PLAIN).splitlines()
        self.assertIn("compressed: as the registry or the content store holds the layers, "
                      "or gzipped: an estimate", text[0])
        self.assertTrue(text[2].endswith("  layers  compressed by"), text[2])
        self.assertTrue(text[3].endswith("  gzip") and text[4].endswith("  registry localhost:32000"), text)
        markdown = render.markdown(r)
        self.assertIn("| `slim:v2` | 74.9 MB | 28.4 MB (registry localhost:32000) | 1 |", markdown)
        self.assertIn("or gzipped (an estimate), as labelled.", markdown)
        # The layer tables: a column of sources only for the image that has another.
        self.assertIn("| `RUN a\\tb` | 74.9 MB | 28.4 MB | registry localhost:32000 |", markdown)
        self.assertIn("| layer of `fat:v1` (oldest first) | uncompressed | compressed |\n", markdown)
        layers = text[text.index("Layers of slim:v2 (oldest first; uncompressed and compressed)") + 1:][:2]
        self.assertEqual(layers, ["  uncompressed    compressed  compressed by             instruction",
                                  "       74.9 MB       28.4 MB  registry localhost:32000  RUN a\\tb"])

    def test_a_layer_from_the_content_store_and_one_estimated(self):
        r = sample()
        fat = r["images"][0]
        fat["layers"][0]["compressed_by"] = "content store"
        fat["compressed_by"] = "content store and gzip"
        text = render.text(r, PLAIN).splitlines()
        at = text.index("Layers of fat:v1 (oldest first; uncompressed and compressed)")
        self.assertEqual(text[at + 1:at + 4],
                         ["  uncompressed    compressed  compressed by  instruction",
                          "        1.2 GB      422.3 MB  content store  (imported) base",
                          "             ?         140 B  gzip           COPY file:8119e3aaaaaa... in /hello"])
        self.assertTrue(text[3].endswith("  content store and gzip"), text[3])

    def test_a_cell_stays_one_cell(self):
        self.assertEqual(render.code("RUN a | b"), "`RUN a \\| b`")
        self.assertEqual(render.code("echo `x`"), "`` echo `x` ``")
        self.assertEqual(render.code("a\nb"), "`a\\nb`")

    def test_without_floor_or_packages(self):
        text = render.markdown(sample(floor_files=[], packages=[]))
        self.assertNotIn("floor", text)
        self.assertNotIn("Debian package", text)


class Chart(unittest.TestCase):
    def test_well_formed_with_five_bars_on_one_scale(self):
        root = ET.fromstring(svg.chart(sample()))
        rects = root.findall("{http://www.w3.org/2000/svg}rect")[1:]
        self.assertEqual(len(rects), 5)
        widths = [float(r.get("width")) for r in rects]
        self.assertEqual(widths[0], 480.0)
        self.assertEqual(widths[1], round(422449969 / 1207770528 * 480, 1))
        self.assertEqual(widths[4], 2.0)    # too thin to see: drawn 2 wide
        self.assertEqual(root.get("height"), str(50 + 5 * 38 + 30))

    def test_no_floor_four_bars_and_names_escaped(self):
        r = sample(floor_files=[])
        r["images"][0]["name"] = "a<b>&c:1"
        text = svg.chart(r)
        root = ET.fromstring(text)
        self.assertEqual(len(root.findall("{http://www.w3.org/2000/svg}rect")), 5)
        self.assertIn("a&lt;b&gt;&amp;c:1 uncompressed", text)


LONG = "registry.example.com:5000/team/project/some-very-long-service-name"


def long_sample():
    r = sample()
    r["images"][0]["name"] = LONG + ":2024-01-01-build-1234"
    r["images"][1]["name"] = LONG + "-slim:v2"
    return r


def png_pixels(data):
    """(width, height, rows of RGBA bytes) of an 8-bit RGBA PNG, non-interlaced."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert (depth, colour) == (8, 6), (depth, colour)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * 4, [], bytearray(width * 4)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - 4] if i >= 4 else 0
            up, up_left = prev[i], prev[i - 4] if i >= 4 else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows


class Fits(unittest.TestCase):
    def check_geometry(self, r):
        text = svg.chart(r)
        root = ET.fromstring(text)
        width = float(root.get("width"))
        for t in root.iter("{http://www.w3.org/2000/svg}text"):
            words = "".join(t.itertext())
            size = int(t.get("font-size") or svg.FONT)
            drawn = svg.text_width(words, size, bold=t.get("font-weight") == "bold")
            x = float(t.get("x"))
            start = x - drawn if t.get("text-anchor") == "end" else x
            self.assertGreaterEqual(start, 0, words)
            self.assertLessEqual(start + drawn, width, words)
        return text

    def test_every_text_fits_the_canvas_by_its_widest_estimate(self):
        for r in (sample(), long_sample()):
            self.check_geometry(r)

    def test_a_long_name_is_cut_in_its_middle(self):
        self.assertEqual(svg.short_name("a" * 30 + "b" * 30), "a" * 20 + "…" + "b" * 19)
        self.assertEqual(len(svg.short_name(LONG + ":tag")), svg.MAX_NAME)
        self.assertTrue(svg.short_name(LONG + ":v2").endswith("-name:v2"))
        self.assertEqual(svg.short_name("fat:v1"), "fat:v1")

    def test_the_title_has_no_caret(self):
        text = svg.chart(sample())
        self.assertIn("1 MB = 10⁶ bytes", text)
        self.assertNotIn("^", text)

    @unittest.skipIf(shutil.which("rsvg-convert") is None,
                     "rsvg-convert is not installed (scripts/setup.sh images)")
    def test_rendered_nothing_is_drawn_outside_the_canvas(self):
        # The chart drawn on a canvas 200 px wider on each side: what the
        # real font puts outside the chart's own width must be nothing.
        for r in (sample(), long_sample()):
            text = self.check_geometry(r)
            root = ET.fromstring(text)
            width, height = int(root.get("width")), int(root.get("height"))
            wider = text.replace(f'width="{width}" height="{height}" viewBox="0 0 {width} {height}"',
                                 f'width="{width + 400}" height="{height}" '
                                 f'viewBox="-200 0 {width + 400} {height}"', 1)
            wider = wider.replace('<rect width="100%" height="100%"',
                                  f'<rect width="{width}" height="{height}"', 1)
            done = subprocess.run(["rsvg-convert", "--format=png"], input=wider.encode(),
                                  capture_output=True, check=True)
            w, h, rows = png_pixels(done.stdout)
            self.assertEqual((w, h), (width + 400, height))
            outside = [(x, y) for y, row in enumerate(rows) for x in range(w)
                       if (x < 200 or x >= 200 + width) and row[4 * x + 3] != 0]
            self.assertEqual(outside[:5], [], r["images"][0]["name"])
            inside = sum(row[4 * x + 3] != 0 for row in rows for x in range(200, 200 + width))
            self.assertEqual(inside, width * height)


class WastedAndSettings(unittest.TestCase):
    def sample(self):
        from compare_sizes import config_diff, wasted
        layers = [{"files": {"/big": 10_000_000, "/bin/x": 5}, "whiteouts": [], "opaque": []},
                  {"files": {}, "whiteouts": ["/big"], "opaque": []}]
        waste = [wasted.waste(layers), wasted.waste(layers[:1])]
        settings = config_diff.compare({"config": {"Cmd": ["/bin/sh", "-c", "./app"]}},
                                       {"config": {"User": "10001", "Entrypoint": ["/app"]}})
        r = sample()
        return report.build(r["images"][0], r["images"][1], "gzip", NO_CHANGES, NO_PACKAGES, [], 2, waste, settings)

    def test_text_names_the_wasted_bytes_and_the_settings_that_differ(self):
        out = render.text(self.sample(), PLAIN)
        self.assertIn("Wasted bytes: what the layers carry but a later layer overwrote or deleted", out)
        self.assertIn("     10.0 MB  fat:v1 (efficiency 0.0 %)", out)
        self.assertIn("     10.0 MB    /big (deleted by layer 2)", out)
        self.assertIn("         0 B  slim:v2 (efficiency 100.0 %)", out)
        self.assertIn("  user               fat:v1: root (none set)\n                     slim:v2: 10001", out)
        self.assertIn("  cmd                fat:v1: shell form: ./app", out)
        self.assertIn("  exposed ports      both: (none)", out)
        # Before the floor, after the diff.
        self.assertLess(out.index("Wasted bytes"), out.index("Settings"))
        self.assertLess(out.index("Settings"), out.index("The floor"))

    def test_markdown_has_both_tables(self):
        out = render.markdown(self.sample())
        self.assertIn("| `fat:v1` | 10.0 MB | 0.0 % |", out)
        self.assertIn("| user | `root (none set)` | `10001` |", out)

    def test_json_fields_are_listed_in_help(self):
        self.assertTrue({"wasted", "settings"} <= set(report.FIELDS))
