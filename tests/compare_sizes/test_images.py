import os
import tempfile
import unittest

import fixture
from compare_sizes import images
from compare_sizes.cache import Cache


class Freshness(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        root = self.tmp.name
        self.dir = os.path.join(root, "v0.1")
        os.makedirs(os.path.join(self.dir, "src"))
        os.makedirs(os.path.join(self.dir, "build"))
        self.write("Dockerfile", "FROM gcc:12 AS build\nFROM $BASE\nfrom debian:bookworm-slim\n", 1000)
        self.write("src/main.c", "int main;", 1000)
        self.cache = Cache(os.path.join(root, "state"))
        self.engine = fixture.FakeEngine()
        self.engine.add("askeladden:v0.1", b"", "sha256:1", [], [], created=2000)
        self.engine.add("gcc:12", b"", "sha256:2", [], [], created=500)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text, mtime):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        os.utime(path, (mtime, mtime))

    def reason(self):
        return images.build_reason(self.engine, self.cache, "askeladden:v0.1", self.dir)

    def test_snapshot_dir(self):
        root = self.tmp.name
        self.assertEqual(images.snapshot_dir(root, "askeladden:v0.1"), self.dir)
        self.assertIsNone(images.snapshot_dir(root, "askeladden:v0.9"))
        self.assertIsNone(images.snapshot_dir(root, "gcc:12"))

    def test_base_images(self):
        self.assertEqual(images.base_images(os.path.join(self.dir, "Dockerfile")),
                         ["debian:bookworm-slim", "gcc:12"])

    def test_up_to_date(self):
        self.assertIsNone(self.reason())

    def test_missing(self):
        self.assertEqual(images.build_reason(self.engine, self.cache, "askeladden:v0.2", self.dir), "missing")

    def test_a_newer_source_but_not_a_build_output(self):
        self.write("build/main.o", "", 3000)
        self.write("askeladden", "", 3000)
        self.write("src/x.a", "", 3000)
        self.assertIsNone(self.reason())
        self.write("src/main.c", "int main(void);", 3000)
        self.assertEqual(self.reason(), "older than its sources")

    def test_the_stamp_of_a_build_that_changed_nothing(self):
        self.write("src/main.c", "int main(void);", 3000)
        stamp = self.cache.stamp_path("askeladden:v0.1")
        open(stamp, "w").close()
        os.utime(stamp, (3500, 3500))
        self.assertIsNone(self.reason())

    def test_a_newer_base_image(self):
        self.engine.add("gcc:12", b"", "sha256:3", [], [], created=2500)
        self.assertEqual(self.reason(), "older than its base image gcc:12")
