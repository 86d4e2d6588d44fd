"""Docker's containerd image store: `docker save` gives an OCI layout whose
layers are compressed and named by that digest, an index with attestation
manifests, and the image ID is the index's digest."""
import gzip
import io
import json
import os
import tempfile
import unittest
from unittest import mock

import fixture
from compare_sizes import archive, compression, gzsize, measure, oci
from compare_sizes.cache import Cache
from compare_sizes.out import Fatal

HISTORY = [{"created_by": "", "comment": "imported"}, {"created_by": "ENV A=1", "empty_layer": True},
           {"created_by": "RUN /bin/sh -c make # buildkit"}]
LAYERS = [fixture.layer_tar({"usr": None, "usr/bin/a": b"a" * 9000, "usr/bin/l": "->a"}),
          fixture.layer_tar({"usr/bin/.wh.l": b"", "app/run": b"r" * 300})]


class Case(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.cache = Cache(self.tmp.name)
        self.pool = gzsize.Pool(2)

    def tearDown(self):
        self.pool.close()
        self.tmp.cleanup()

    def walk(self, data, image_id, diff_ids, cache=None):
        return archive.Walk(image_id, diff_ids, cache or self.cache, self.pool).read(io.BytesIO(data))


class ContainerdLayout(Case):
    def test_every_layer_is_measured_and_the_attestation_skipped(self):
        data, image_id, diff_ids = fixture.containerd_archive(LAYERS, HISTORY)
        walk = self.walk(data, image_id, diff_ids)
        self.assertEqual(walk.config["history"], HISTORY)
        self.assertEqual(walk.config["architecture"], "amd64")
        for d in diff_ids:
            self.assertTrue(self.cache.has_layer(d))
        self.assertEqual(self.cache.layer_files(diff_ids[1])["whiteouts"], ["/usr/bin/l"])

    def test_the_figures_are_those_of_the_classic_store(self):
        data, image_id, diff_ids = fixture.containerd_archive(LAYERS, HISTORY)
        self.walk(data, image_id, diff_ids)
        with tempfile.TemporaryDirectory() as other:
            classic = Cache(other)
            saved, classic_id, classic_diff_ids = fixture.save_archive(LAYERS, HISTORY, oci=True)
            self.assertEqual(classic_diff_ids, diff_ids)
            self.walk(saved, classic_id, diff_ids, classic)
            for d in diff_ids:
                self.assertEqual(self.cache.layer_sizes(d), classic.layer_sizes(d))
                self.assertEqual(self.cache.layer_files(d), classic.layer_files(d))
        self.assertEqual(self.cache.layer_sizes(diff_ids[0])["unpacked_bytes"], 9001)
        # The compressed figure is ours (gzip -6), not the blob's size.
        self.assertEqual(self.cache.layer_sizes(diff_ids[0])["compressed_bytes"], len(gzip.compress(LAYERS[0], 6)))

    def test_a_rerun_reads_no_blob_it_measured(self):
        data, image_id, diff_ids = fixture.containerd_archive(LAYERS, HISTORY)
        self.walk(data, image_id, diff_ids)
        with mock.patch.object(archive.layer, "measure", side_effect=AssertionError("measured again")):
            self.assertEqual(self.walk(data, image_id, diff_ids).config["history"], HISTORY)

    def test_each_layers_blob_size_is_kept_and_a_rerun_keeps_it_too(self):
        data, image_id, diff_ids = fixture.containerd_archive(LAYERS, HISTORY)
        blobs = [len(gzip.compress(tar, fixture.BLOB_LEVEL, mtime=0)) for tar in LAYERS]
        self.assertEqual(self.walk(data, image_id, diff_ids).content_sizes, blobs)
        self.assertEqual(self.walk(data, image_id, diff_ids).content_sizes, blobs)

    def test_a_layer_loaded_uncompressed_has_no_blob_size(self):
        # docker load of a classic archive keeps the plain tar, named by its diff ID.
        data, image_id, diff_ids = fixture.containerd_archive(
            LAYERS, HISTORY, compress=lambda tar: tar if tar == LAYERS[0] else gzip.compress(tar, 1, mtime=0))
        walk = self.walk(data, image_id, diff_ids)
        self.assertEqual(walk.content_sizes, [None, len(gzip.compress(LAYERS[1], 1, mtime=0))])

    def test_the_classic_layout_has_no_blob_sizes(self):
        data, image_id, diff_ids = fixture.save_archive(LAYERS, HISTORY, oci=True)
        self.assertEqual(self.walk(data, image_id, diff_ids).content_sizes, [])

    def test_the_manifest_of_this_machines_platform_is_picked(self):
        other = [fixture.layer_tar({"arm": b"m" * 70})]
        for order in ((("linux", "amd64"), ("linux", "arm64")),):
            data, image_id, diff_ids = fixture.containerd_archive(LAYERS, HISTORY, platforms=order,
                                                                  other_layers=other)
            walk = self.walk(data, image_id, diff_ids)
            self.assertEqual(walk.config["architecture"], "amd64")
            self.assertFalse(self.cache.has_layer(fixture.digest(other[0])))
        # The same archive read for the other platform's diff IDs gives its config.
        walk = self.walk(data, image_id, [fixture.digest(other[0])])
        self.assertEqual(walk.config["architecture"], "arm64")

    def test_no_manifest_with_the_images_layers_is_an_error(self):
        data, image_id, _ = fixture.containerd_archive(LAYERS, HISTORY)
        with self.assertRaisesRegex(Fatal, "none with the layers the engine lists"):
            self.walk(data, image_id, [fixture.digest(LAYERS[1])])

    def test_a_manifest_whose_layers_are_not_the_configs_is_an_error(self):
        data, image_id, diff_ids = fixture.containerd_archive(LAYERS, HISTORY, manifest_order=[1, 0])
        with self.assertRaisesRegex(Fatal, "layer 1 of the image's manifest"):
            self.walk(data, image_id, diff_ids)

    def test_a_blob_that_is_not_its_digest_is_an_error(self):
        data, image_id, diff_ids = fixture.containerd_archive(LAYERS, HISTORY)
        first = gzip.compress(LAYERS[0], fixture.BLOB_LEVEL, mtime=0)
        # Another gzip time stamp: the same tar inside, other bytes under the old name.
        self.assertIn(first, data)
        with self.assertRaisesRegex(Fatal, "broken archive: blobs/sha256/.* does not have its digest"):
            self.walk(data.replace(first, first[:4] + b"\1" + first[5:]), image_id, diff_ids)
        # A blob cut short.
        with self.assertRaisesRegex(Fatal, "broken layer"):
            self.walk(data.replace(first, first[:-8] + b"\0" * 8), image_id, diff_ids)

    def test_zstd_without_a_reader_is_a_clear_error(self):
        zstd_blob = compression.ZSTD_MAGIC + b"\0" * 60
        data, image_id, diff_ids = fixture.containerd_archive(LAYERS, HISTORY, compress=lambda d: zstd_blob + d[:4])
        with mock.patch.object(compression, "_zstd_reader", return_value=None):
            with self.assertRaisesRegex(Fatal, "compressed with zstd, which this Python cannot read "
                                               r"\(install python3-zstandard"):
                self.walk(data, image_id, diff_ids)

    def test_zstd_layers_are_read_where_this_python_can(self):
        # Debian's python3-zstandard, or Python 3.14's compression.zstd; else the clear error.
        if compression._zstd_reader(io.BytesIO(b"")) is None:
            data, image_id, diff_ids = fixture.containerd_archive(
                LAYERS, HISTORY, compress=lambda d: compression.ZSTD_MAGIC + d)
            with self.assertRaisesRegex(Fatal, "compressed with zstd, which this Python cannot read"):
                self.walk(data, image_id, diff_ids)
            return
        import zstandard
        data, image_id, diff_ids = fixture.containerd_archive(
            LAYERS, HISTORY, compress=lambda d: zstandard.ZstdCompressor().compress(d))
        self.walk(data, image_id, diff_ids)
        self.assertEqual(self.cache.layer_sizes(diff_ids[0])["unpacked_bytes"], 9001)


class Pick(unittest.TestCase):
    def test_attestations(self):
        self.assertTrue(oci.is_attestation({"annotations": {oci.REFERENCE_TYPE: oci.ATTESTATION}}))
        self.assertTrue(oci.is_attestation({"platform": {"os": "unknown", "architecture": "unknown"}}))
        self.assertFalse(oci.is_attestation({"platform": {"os": "linux", "architecture": "amd64"}}))

    def test_the_classic_config_is_named_by_the_image_id(self):
        config = {"rootfs": {"diff_ids": ["sha256:1"]}, "history": []}
        self.assertEqual(oci.pick("sha256:c", ["sha256:1"], {"sha256:c": config}, None, None).config, config)

    def test_a_lone_manifest_as_the_image_id(self):
        config = {"rootfs": {"diff_ids": ["sha256:1"]}}
        manifest = {"config": {"digest": "sha256:c"}, "layers": [{"digest": "sha256:z"}]}
        picked = oci.pick("sha256:m", ["sha256:1"], {"sha256:m": manifest, "sha256:c": config}, None, None)
        self.assertEqual(picked, oci.Picked(config, ["sha256:z"], ("sha256:m", "sha256:c")))

    def test_an_attestation_manifest_is_never_picked(self):
        # Even one whose config (pathologically) lists the image's layers, ahead of the image's.
        config = {"rootfs": {"diff_ids": ["sha256:1"]}, "architecture": "amd64"}
        proof_config = {"rootfs": {"diff_ids": ["sha256:1"]}, "architecture": "unknown"}
        blobs = {"sha256:c": config, "sha256:p": proof_config,
                 "sha256:m": {"config": {"digest": "sha256:c"}, "layers": [{"digest": "sha256:z"}]},
                 "sha256:a": {"config": {"digest": "sha256:p"}, "layers": [{"digest": "sha256:y"}]}}
        blobs["sha256:i"] = {"manifests": [
            {"digest": "sha256:a", "annotations": {oci.REFERENCE_TYPE: oci.ATTESTATION}},
            {"digest": "sha256:m", "platform": {"os": "linux", "architecture": "amd64"}}]}
        self.assertEqual(oci.pick("sha256:i", ["sha256:1"], blobs, None, None).config, config)

    def test_nothing_to_pick(self):
        with self.assertRaisesRegex(Fatal, "did not include the image config"):
            oci.pick("sha256:m", ["sha256:1"], {}, {"manifests": []}, None)


class Measure(Case):
    def test_the_same_image_on_both_stores_gives_the_same_layers(self):
        records = {}
        for store in ("overlay2", "containerd"):
            with self.subTest(store=store), tempfile.TemporaryDirectory() as tmp:
                engine = fixture.FakeEngine(store)
                image = fixture.sample_image(engine, containerd=store == "containerd")
                engine.listed[image.id] = 2 * image.size + 7
                records[store] = measure.measure(engine, Cache(tmp), self.pool, "sample:v1", store)
        classic, containerd = records["overlay2"], records["containerd"]
        # The same layers, but for the compressed size: the content store holds
        # each layer compressed, and its blob's size is exact.
        blobs = [len(gzip.compress(tar, fixture.BLOB_LEVEL, mtime=0)) for tar in fixture.sample_layers()]
        self.assertEqual([layer.pop("compressed_bytes") for layer in containerd["layers"]], blobs)
        self.assertEqual([layer.pop("compressed_by") for layer in containerd["layers"]],
                         ["content store"] * 2)
        self.assertEqual((containerd["compressed_bytes"], containerd["compressed_by"]),
                         (sum(blobs), "content store"))
        estimates = [layer.pop("compressed_bytes") for layer in classic["layers"]]
        self.assertEqual(estimates, [len(gzip.compress(tar, 6)) for tar in fixture.sample_layers()])
        self.assertNotEqual(estimates, blobs)
        self.assertEqual([layer.pop("compressed_by") for layer in classic["layers"]], ["gzip"] * 2)
        self.assertEqual(classic["compressed_by"], "gzip")
        self.assertEqual(classic["layers"], containerd["layers"])
        self.assertEqual([layer["instruction"] for layer in containerd["layers"]],
                         ["(imported) imported", "RUN make"])
        # gzip's estimate is the same figure on both.
        self.assertEqual(classic["estimated_compressed_bytes"], containerd["estimated_compressed_bytes"])
        self.assertEqual(classic["estimated_compressed_bytes"], sum(estimates))
        self.assertEqual(containerd["size_bytes"], sum(layer["size_bytes"] for layer in containerd["layers"]))
        self.assertEqual(containerd["size_bytes"], 4204 + 300)
        # What each engine's docker images shows, whatever it counts.
        self.assertEqual(classic["listed_bytes"], 2007)
        self.assertEqual(containerd["listed_bytes"], 2007)


class ContentStoreSizes(Case):
    def record(self, engine):
        return measure.measure(engine, self.cache, self.pool, "sample:v1", "containerd")

    def test_a_rerun_answers_from_the_cache(self):
        engine = fixture.FakeEngine("containerd")
        fixture.sample_image(engine, containerd=True)
        first = self.record(engine)
        self.assertEqual((engine.saves, first["compressed_by"]), (1, "content store"))
        self.assertEqual(self.record(engine), first)
        self.assertEqual(engine.saves, 1)

    def test_a_cache_without_blob_sizes_reads_docker_save_once_more(self):
        engine = fixture.FakeEngine("containerd")
        image = fixture.sample_image(engine, containerd=True)
        first = self.record(engine)
        os.unlink(self.cache.image_path(image.id, "content"))
        with mock.patch.object(archive.layer, "measure", side_effect=AssertionError("measured again")):
            self.assertEqual(self.record(engine), first)
        self.assertEqual(engine.saves, 2)

    def test_layers_held_both_ways_are_labelled_each(self):
        engine = fixture.FakeEngine("containerd")
        base, app = fixture.sample_layers()
        data, image_id, diff_ids = fixture.containerd_archive(
            [base, app], HISTORY, compress=lambda tar: tar if tar == base else gzip.compress(tar, 1, mtime=0))
        engine.add("sample:v1", data, image_id, diff_ids,
                   [{"size": 1, "created_by": "", "comment": ""}] * 3)
        r = self.record(engine)
        self.assertEqual([layer["compressed_by"] for layer in r["layers"]], ["gzip", "content store"])
        self.assertEqual(r["compressed_by"], "content store and gzip")
        self.assertEqual(r["layers"][0]["compressed_bytes"], len(gzip.compress(base, 6)))
        self.assertEqual(r["layers"][1]["compressed_bytes"], len(gzip.compress(app, 1, mtime=0)))

    def test_the_classic_store_keeps_no_blob_sizes(self):
        engine = fixture.FakeEngine("overlay2")
        image = fixture.sample_image(engine)
        measure.measure(engine, self.cache, self.pool, "sample:v1", "overlay2")
        self.assertFalse(os.path.exists(self.cache.image_path(image.id, "content")))


class Store(unittest.TestCase):
    def test_which_store(self):
        from compare_sizes.engine import store_of
        self.assertEqual(store_of({"Driver": "overlay2", "DriverStatus": [["Backing Filesystem", "extfs"]]}),
                         "overlay2")
        self.assertEqual(store_of({"Driver": "overlayfs",
                                   "DriverStatus": [["driver-type", "io.containerd.snapshotter.v1"]]}),
                         "containerd")


if __name__ == "__main__":
    unittest.main()
