import io
import os
import tempfile
import unittest

import fixture
from compare_sizes import floor, layer, packages
from compare_sizes.cache import Cache

TRIPLET = "usr/lib/x86_64-linux-gnu"


def real(path):
    with open(path, "rb") as f:
        return f.read()


def static_elf():
    """An ELF header with no program headers: nothing to load, nothing needed."""
    header = bytearray(real("/bin/sh")[:64])
    header[56:58] = (0).to_bytes(2, "little")  # e_phnum
    return bytes(header)


def records(*tars):
    return [layer.list_entries(io.BytesIO(t)) for t in tars]


SH = real("/bin/sh")
LIBC = real(os.path.realpath("/lib/x86_64-linux-gnu/libc.so.6"))
LOADER = real(os.path.realpath("/lib64/ld-linux-x86-64.so.2"))
# A Debian-like image made of files: /lib and /lib64 are links (usrmerge).
DEBIAN = {"lib": "->usr/lib", "lib64": "->usr/lib64", "usr/bin/dash": SH, "bin": "->usr/bin",
          f"{TRIPLET}/libc.so.6": LIBC, f"{TRIPLET}/ld-linux-x86-64.so.2": LOADER,
          "usr/lib64/ld-linux-x86-64.so.2": "->/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
          "usr/bin/sh": "->dash"}


class ListEntries(unittest.TestCase):
    def test_links_elf_needs_and_texts(self):
        tar = fixture.layer_tar({**DEBIAN, "var/lib/dpkg/status": b"Package: dash\n",
                                 "etc/ld.so.conf.d/x.conf": b"/opt/lib\n"})
        record = records(tar)[0]
        self.assertEqual(record["links"]["/lib"], "usr/lib")
        self.assertEqual(record["elf"]["/usr/bin/dash"][0], "/lib64/ld-linux-x86-64.so.2")
        self.assertIn("libc.so.6", record["elf"]["/usr/bin/dash"][1])
        self.assertEqual(record["texts"], {"/var/lib/dpkg/status": "Package: dash\n",
                                           "/etc/ld.so.conf.d/x.conf": "/opt/lib\n"})

    def test_member_names_stay_inside_the_image(self):
        record = records(fixture.layer_tar({"../../etc/passwd": b"x", "./a/../../b": b"y"}))[0]
        self.assertEqual(sorted(record["files"]), ["/b", "/etc/passwd"])


class Floor(unittest.TestCase):
    def test_a_dynamic_binary_its_loader_and_libc(self):
        files = floor.measure(records(fixture.layer_tar(DEBIAN)), "/bin/sh")
        self.assertEqual(files, [
            {"path": "/usr/bin/dash", "bytes": len(SH)},
            {"path": f"/{TRIPLET}/ld-linux-x86-64.so.2", "bytes": len(LOADER)},
            {"path": f"/{TRIPLET}/libc.so.6", "bytes": len(LIBC)}])

    def test_a_bare_name_is_found_on_the_default_path(self):
        files = floor.measure(records(fixture.layer_tar(DEBIAN)), "dash")
        self.assertEqual(files[0]["path"], "/usr/bin/dash")

    def test_scratch_with_a_static_binary_is_its_own_floor(self):
        files = floor.measure(records(fixture.layer_tar({"hello": static_elf()})), "/hello")
        self.assertEqual(files, [{"path": "/hello", "bytes": 64}])

    def test_a_later_layer_removing_a_library_leaves_no_floor(self):
        tars = [fixture.layer_tar(DEBIAN), fixture.layer_tar({f"{TRIPLET}/.wh.libc.so.6": b""})]
        with self.assertRaisesRegex(floor.NoFloor, "needs libc.so.6, which the image does not have"):
            floor.measure(records(*tars), "/bin/sh")

    def test_a_script_needs_its_interpreter_and_a_text_file_is_no_program(self):
        tar = fixture.layer_tar({**DEBIAN, "run.sh": b"#!/bin/sh -e\nexec true\n", "notes": b"hello"})
        files = floor.measure(records(tar), "/run.sh")
        self.assertEqual([f["path"] for f in files][:2], ["/run.sh", "/usr/bin/dash"])
        self.assertEqual(len(files), 4)
        with self.assertRaisesRegex(floor.NoFloor, "/notes is neither an ELF program nor a #! script"):
            floor.measure(records(tar), "/notes")

    def test_no_binary_or_a_missing_one(self):
        with self.assertRaisesRegex(floor.NoFloor, "neither an entrypoint nor a command"):
            floor.measure(records(fixture.layer_tar(DEBIAN)), "")
        with self.assertRaisesRegex(floor.NoFloor, "/nowhere is not in the image"):
            floor.measure(records(fixture.layer_tar(DEBIAN)), "/nowhere")

    def test_a_hostile_layer_gives_a_report_and_reads_nothing_here(self):
        # Links out of the root, to the root, and in a loop; a binary that
        # wants a library through them. Only the image's own files count.
        hostile = fixture.layer_tar({
            "app": SH, "etc/passwd": b"me", "usr/lib/x86_64-linux-gnu": "->../../../../../lib",
            "lib64": "->/", "usr/lib/loop": "->/usr/lib/loop",
            "lib/x86_64-linux-gnu/libc.so.6": "->../../../../proc/self/exe"})
        with self.assertRaisesRegex(floor.NoFloor, "/app needs .*libc.so.6"):
            floor.measure(records(hostile), "/app")
        self.assertEqual(floor.measure(records(fixture.layer_tar({"app": static_elf(),
                                                                  "up": "->../../.."})), "/up/app"),
                         [{"path": "/app", "bytes": 64}])

    def test_cached_by_image_and_gone_images_are_no_floor(self):
        engine = fixture.FakeEngine()
        data, image_id, diff_ids = fixture.save_archive([fixture.layer_tar(DEBIAN)], [{"created_by": ""}])
        engine.add("a:1", data, image_id, diff_ids, [], binary="/bin/sh")
        with tempfile.TemporaryDirectory() as tmp:
            cache = Cache(tmp)
            digest = diff_ids[0]
            cache.put_layer(digest, {**records(fixture.layer_tar(DEBIAN))[0], "tar_bytes": 1,
                                     "compressed_bytes": 1})
            image = {"id": image_id, "layers": [{"digest": digest}]}
            first = floor.floor(engine, cache, image)
            self.assertEqual(len(first), 3)
            engine.images.clear()
            self.assertEqual(floor.floor(engine, cache, image), first)  # from the cache
            with self.assertRaisesRegex(floor.NoFloor, "is gone"):
                floor.floor(engine, cache, {"id": "sha256:7", "layers": []})


STATUS = """Package: libc6
Status: install ok installed
Installed-Size: 7
Version: 2.36-9
Description: a line
 continued: not a field

Package: gone
Status: deinstall ok config-files
Installed-Size: 900
Version: 1

Package: gcc-12
Status: install ok installed
Version: 12.2.0-14
"""


class Packages(unittest.TestCase):
    def test_installed_ones_with_versions_and_bytes(self):
        self.assertEqual(packages.installed({"/var/lib/dpkg/status": STATUS}), {
            "libc6": {"version": "2.36-9", "bytes": 7168},
            "gcc-12": {"version": "12.2.0-14", "bytes": 0}})

    def test_distroless_status_d_has_one_file_a_package_and_no_status(self):
        texts = {"/var/lib/dpkg/status.d/base": "Package: base-files\nVersion: 12.4\nInstalled-Size: 2\n",
                 "/etc/other": "Package: not-dpkg\n"}
        self.assertEqual(packages.installed(texts), {"base-files": {"version": "12.4", "bytes": 2048}})

    def test_no_dpkg_no_packages(self):
        self.assertEqual(packages.installed({}), {})


if __name__ == "__main__":
    unittest.main()
