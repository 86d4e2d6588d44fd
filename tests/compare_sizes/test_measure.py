import tempfile
import unittest

import fixture
from compare_sizes import gzsize, measure
from compare_sizes.cache import Cache
from compare_sizes.out import Fatal


class Measure(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.cache = Cache(self.tmp.name)
        self.pool = gzsize.Pool(2)
        self.engine = fixture.FakeEngine()

    def tearDown(self):
        self.pool.close()
        self.tmp.cleanup()

    def test_an_image_is_read_once_then_answered_from_the_cache(self):
        for oci in (False, True):
            with self.subTest(oci=oci):
                image = fixture.sample_image(self.engine, extra=str(oci).encode(), oci=oci)
                saves = self.engine.saves
                first = measure.measure(self.engine, self.cache, self.pool, "sample:v1")
                self.assertEqual(self.engine.saves, saves + 1)
                again = measure.measure(self.engine, self.cache, self.pool, "sample:v1")
                self.assertEqual(self.engine.saves, saves + 1)
                self.assertEqual(first, again)
                self.assertEqual(first["id"], image.id)

    def test_the_record(self):
        image = fixture.sample_image(self.engine)
        r = measure.measure(self.engine, self.cache, self.pool, "sample:v1")
        self.assertEqual((r["name"], r["version"], r["size_bytes"]), ("sample:v1", "v1", 1000))
        self.assertEqual([layer["digest"] for layer in r["layers"]], image.diff_ids)
        self.assertEqual([layer["instruction"] for layer in r["layers"]], ["(imported) imported", "RUN make"])
        history = self.engine.history(image.id)
        self.assertEqual([layer["size_bytes"] for layer in r["layers"]], [history[0]["size"], history[2]["size"]])
        self.assertEqual(r["listed_bytes"], 1000)
        self.assertEqual(r["compressed_bytes"], sum(layer["compressed_bytes"] for layer in r["layers"]))
        self.assertEqual((r["metadata_only"], r["metadata_kinds"]), (1, ["ENV"]))

    def test_layers_measured_through_another_image_need_no_save(self):
        fixture.sample_image(self.engine, "first:v1")
        measure.measure(self.engine, self.cache, self.pool, "first:v1")
        image = self.engine.image("first:v1")
        self.engine.add("second:v1", b"", "sha256:" + "5" * 64, image.diff_ids,
                        self.engine.history(image.id))
        saves = self.engine.saves
        r = measure.measure(self.engine, self.cache, self.pool, "second:v1")
        self.assertEqual(self.engine.saves, saves)
        self.assertEqual(r["metadata_only"], 1)

    def test_a_vanished_image_is_an_error(self):
        with self.assertRaisesRegex(Fatal, "image gone:v1 is gone"):
            measure.measure(self.engine, self.cache, self.pool, "gone:v1")


class Helpers(unittest.TestCase):
    def test_instruction(self):
        cases = [("/bin/sh -c #(nop)  WORKDIR /src", "WORKDIR /src"), ("/bin/sh -c make", "RUN make"),
                 ("RUN /bin/sh -c make # buildkit", "RUN /bin/sh -c make # buildkit"),
                 ("COPY . . # buildkit", "COPY . . # buildkit")]
        for created_by, text in cases:
            self.assertEqual(measure.instruction({"created_by": created_by, "comment": ""}), text)
        self.assertEqual(measure.instruction({"created_by": "", "comment": "from a tar"}), "(imported) from a tar")

    def test_version(self):
        self.assertEqual(measure.version_of("askeladden:v0.2"), "v0.2")
        self.assertEqual(measure.version_of("localhost:5000/app"), "latest")
        self.assertEqual(measure.version_of("localhost:5000/app:1.0"), "1.0")

    def test_history_from_engine_needs_one_instruction_per_layer(self):
        history = [{"size": 5, "created_by": "", "comment": "x"},
                   {"size": 0, "created_by": "/bin/sh -c #(nop)  ENV A=1", "comment": ""},
                   {"size": 0, "created_by": "LABEL a=b", "comment": ""},
                   {"size": 0, "created_by": "/bin/sh -c #(nop) WORKDIR /a", "comment": ""}]
        guess = measure.history_from_engine(history, 2)
        self.assertEqual([h["empty_layer"] for h in guess], [False, True, True, False])
        self.assertIsNone(measure.history_from_engine(history, 3))
