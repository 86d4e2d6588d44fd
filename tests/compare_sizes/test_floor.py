import tempfile
import unittest

import fixture
from compare_sizes import floor
from compare_sizes.cache import Cache

LISTING = (b"215000 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n"
           b"1900000 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
           b"362464 /usr/local/bin/app\n")


class Floor(unittest.TestCase):
    def setUp(self):
        self.engine = fixture.FakeEngine()
        self.tmp = tempfile.TemporaryDirectory()
        self.cache = Cache(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_parse(self):
        self.assertEqual(floor.parse("12 /a b\nnoise\n3 /c\n"),
                         [{"path": "/a b", "bytes": 12}, {"path": "/c", "bytes": 3}])

    def test_listed_in_a_container_once(self):
        self.engine.add("app:1", b"", "sha256:1", [], [], binary="app")
        self.engine.outputs[("sha256:1", "/bin/sh")] = (0, LISTING, "")
        files = floor.floor(self.engine, self.cache, "sha256:1")
        self.assertEqual([f["bytes"] for f in files], [215000, 1900000, 362464])
        self.assertEqual(floor.floor(self.engine, self.cache, "sha256:1"), files)
        self.assertEqual(len(self.engine.runs), 1)

    def test_no_binary_no_floor(self):
        self.engine.add("app:1", b"", "sha256:1", [], [], binary="")
        with self.assertRaisesRegex(floor.NoFloor, "neither an entrypoint nor a command"):
            floor.floor(self.engine, self.cache, "sha256:1")

    def test_an_image_gone_meanwhile_is_no_floor_not_a_crash(self):
        with self.assertRaisesRegex(floor.NoFloor, "image sha256:7 is gone"):
            floor.floor(self.engine, self.cache, "sha256:7")

    def test_a_failed_listing_says_why_and_is_not_cached(self):
        self.engine.add("app:1", b"", "sha256:1", [], [], binary="/f")
        self.engine.outputs[("sha256:1", "/bin/sh")] = (127, b"", "starting\nno /bin/sh here\n")
        for _ in range(2):
            with self.assertRaisesRegex(
                    floor.NoFloor, "listing /f and its libraries in a container failed: no /bin/sh here"):
                floor.floor(self.engine, self.cache, "sha256:1")
        self.assertEqual(len(self.engine.runs), 2)
