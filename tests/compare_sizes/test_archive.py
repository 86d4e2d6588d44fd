import io
import tempfile
import unittest

import fixture
from compare_sizes import archive, gzsize
from compare_sizes.cache import Cache
from compare_sizes.out import Fatal

HISTORY = [{"created_by": "", "comment": "imported"}, {"created_by": "RUN make"}]


class Walk(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.cache = Cache(self.tmp.name)
        self.pool = gzsize.Pool(2)
        self.layers = [fixture.layer_tar({"bin/a": b"a" * 900}), fixture.layer_tar({"bin/b": b"b" * 90})]

    def tearDown(self):
        self.pool.close()
        self.tmp.cleanup()

    def walk(self, data, image_id, diff_ids, skip_by_size=True):
        return archive.Walk(image_id, diff_ids, self.cache, self.pool, skip_by_size).read(io.BytesIO(data))

    def test_both_layouts_measure_every_layer_and_read_the_config(self):
        for oci in (False, True):
            with self.subTest(oci=oci):
                data, image_id, diff_ids = fixture.save_archive(self.layers, HISTORY, oci=oci)
                walk = self.walk(data, image_id, diff_ids)
                self.assertEqual(walk.config["history"], HISTORY)
                for d, layer in zip(diff_ids, self.layers):
                    self.assertTrue(self.cache.has_layer(d))
                    self.assertEqual(self.cache.layer_sizes(d)["tar_bytes"], len(layer))
                self.assertEqual(self.cache.layer_files(diff_ids[1])["files"], {"/bin/b": 90})
                self.assertFalse(walk.mismatched)

    def test_a_measured_layer_is_not_measured_again(self):
        data, image_id, diff_ids = fixture.save_archive(self.layers, HISTORY)
        self.walk(data, image_id, diff_ids)
        self.cache.put_layer(diff_ids[0], {"files": {}, "whiteouts": [], "opaque": [], "links": {}, "elf": {}, "texts": {},
                                           "tar_bytes": len(self.layers[0]), "unpacked_bytes": 900, "compressed_bytes": 7,
                                           "compressed_method": gzsize.METHOD})
        self.walk(data, image_id, diff_ids)
        self.assertEqual(self.cache.layer_sizes(diff_ids[0])["compressed_bytes"], 7)

    def test_a_layer_whose_size_was_estimated_another_way_is_measured_again(self):
        data, image_id, diff_ids = fixture.save_archive(self.layers, HISTORY)
        self.walk(data, image_id, diff_ids)
        measured = self.cache.layer_sizes(diff_ids[0])
        self.assertEqual(measured["compressed_method"],
                         "gzip -6 in blocks of 128 KiB; past 16 MiB, 1 block in 4")
        for method in ({}, {"compressed_method": "gzip -6 in blocks of 128 KiB"}):
            with self.subTest(method=method):
                self.cache.put_layer(diff_ids[0], {"files": {}, "whiteouts": [], "opaque": [], "links": {}, "elf": {},
                                                   "texts": {}, "tar_bytes": len(self.layers[0]),
                                                   "unpacked_bytes": 900, "compressed_bytes": 7, **method})
                self.assertFalse(self.cache.has_layer(diff_ids[0]))
                # The other layer is as large: the pass that reads by digest.
                self.walk(data, image_id, diff_ids, skip_by_size=False)
                self.assertEqual(self.cache.layer_sizes(diff_ids[0]), measured)

    def test_a_layer_only_the_same_size_as_a_measured_one_is_read_again(self):
        other = fixture.layer_tar({"bin/a": b"A" * 900})
        data, image_id, diff_ids = fixture.save_archive([other], HISTORY[:1])
        self.cache.put_layer(diff_ids[0], {"files": {}, "whiteouts": [], "opaque": [], "links": {}, "elf": {}, "texts": {},
                                           "tar_bytes": len(other), "unpacked_bytes": 900, "compressed_bytes": 7,
                                           "compressed_method": gzsize.METHOD})
        self.cache.put_layer = lambda *a: self.fail("measured a layer the cache has")
        self.assertFalse(self.walk(data, image_id, diff_ids).mismatched)
        # The cache says a layer of this size is measured, but not this one.
        data2, image_id2, diff_ids2 = fixture.save_archive([self.layers[0]], HISTORY[:1])
        walk = archive.Walk(image_id2, diff_ids2 + diff_ids, self.cache, self.pool)
        self.assertTrue(walk.read(io.BytesIO(data2)).mismatched)

    def test_a_layer_the_image_does_not_list_is_an_error(self):
        data, image_id, diff_ids = fixture.save_archive(self.layers, HISTORY)
        with self.assertRaisesRegex(Fatal, "which the image does not list"):
            self.walk(data, image_id, diff_ids[:1], skip_by_size=False)

    def test_an_archive_without_the_config_is_an_error(self):
        data, image_id, diff_ids = fixture.save_archive(self.layers, HISTORY, with_config=False)
        with self.assertRaisesRegex(Fatal, "did not include the image config"):
            self.walk(data, image_id, diff_ids)

    def test_classify(self):
        self.assertEqual(archive.classify("x/layer.tar", "sha256:11"), "layer")
        self.assertEqual(archive.classify("11.json", "sha256:11"), "config")
        self.assertEqual(archive.classify("blobs/sha256/11", "sha256:11"), "blob")
        self.assertEqual(archive.classify("index.json", "sha256:11"), "index")
        self.assertEqual(archive.classify("manifest.json", "sha256:11"), "manifest")
        self.assertEqual(archive.classify("oci-layout", "sha256:11"), "other")


class Broken(unittest.TestCase):
    def test_a_truncated_stream_is_an_error(self):
        data, image_id, diff_ids = fixture.save_archive([fixture.layer_tar({"a": b"a" * 5000})], HISTORY[:1])
        with tempfile.TemporaryDirectory() as tmp:
            pool = gzsize.Pool(1)
            walk = archive.Walk(image_id, diff_ids, Cache(tmp), pool)
            with self.assertRaisesRegex(Fatal, "broken archive|did not include"):
                walk.read(io.BytesIO(data[:3000]))
            pool.close()
