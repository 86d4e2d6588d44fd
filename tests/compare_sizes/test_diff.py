import io
import tempfile
import unittest

import fixture
from compare_sizes import diff, gzsize, measure
from compare_sizes import layer as layer_mod
from compare_sizes.cache import Cache


def layer(files=None, whiteouts=(), opaque=()):
    return {"files": files or {}, "whiteouts": list(whiteouts), "opaque": list(opaque)}


class FinalFiles(unittest.TestCase):
    def test_upper_layers_win_and_whiteouts_delete(self):
        layers = [layer({"/a/x": 1, "/a/y": 2, "/b/z": 3, "/bz": 4}),
                  layer({"/a/x": 10}, whiteouts=["/b"]),
                  layer({"/c": 5}, whiteouts=["/a/y"])]
        self.assertEqual(diff.final_files(layers), {"/a/x": 10, "/bz": 4, "/c": 5})

    def test_an_opaque_directory_hides_only_the_layers_below(self):
        layers = [layer({"/d/old": 1, "/dx": 2}), layer({"/d/new": 3}, opaque=["/d"])]
        self.assertEqual(diff.final_files(layers), {"/dx": 2, "/d/new": 3})


class Groups(unittest.TestCase):
    def test_directories_three_deep_headers_two(self):
        cases = {"/usr/lib/gcc/x86_64-linux-gnu/12/cc1": "/usr/lib/gcc",
                 "/usr/share/doc/gcc/copyright": "/usr/share/doc",
                 "/usr/include/c++/12/vector": "/usr/include",
                 "/usr/include/stdio.h": "/usr/include",
                 "/usr/bin/gcc": "/usr/bin", "/etc/passwd": "/etc", "/init": "/"}
        for path, group in cases.items():
            self.assertEqual(diff.group_of(path), group, path)

    def test_the_multiarch_directory_is_split(self):
        cases = {"/usr/lib/x86_64-linux-gnu/libc.a": "/usr/lib/x86_64-linux-gnu/*.a",
                 "/usr/lib/x86_64-linux-gnu/libz.so.1.2": "/usr/lib/x86_64-linux-gnu/*.so*",
                 "/usr/lib/x86_64-linux-gnu/libz.so": "/usr/lib/x86_64-linux-gnu/*.so*",
                 "/usr/lib/x86_64-linux-gnu/crt1.o": "/usr/lib/x86_64-linux-gnu",
                 "/usr/lib/x86_64-linux-gnu/perl/5.36/x.pm": "/usr/lib/x86_64-linux-gnu/perl",
                 "/usr/lib/aarch64-linux-gnu/gconv/a/b.so": "/usr/lib/aarch64-linux-gnu/gconv"}
        for path, group in cases.items():
            self.assertEqual(diff.group_of(path), group, path)

    def test_path_diff_sums_what_b_lacks_largest_first(self):
        a = {"/usr/bin/gcc": 50, "/usr/bin/ls": 5, "/usr/include/a.h": 7, "/usr/include/b/c.h": 8,
             "/etc/x": 15}
        b = {"/usr/bin/ls": 5, "/etc/y": 1}
        total, groups = diff.path_diff(a, b)
        self.assertEqual(total, 80)
        self.assertEqual(groups, [("/usr/bin", 50), ("/etc", 15), ("/usr/include", 15)])


class Packages(unittest.TestCase):
    A = {"gcc-12": 102400, "libc6": 7168, "empty": 0, "cpp-12": 102400}

    def test_package_diff_is_largest_first_and_cut_at_top(self):
        self.assertEqual(diff.package_diff(self.A, {"libc6": 1}, 2), [("cpp-12", 102400), ("gcc-12", 102400)])
        self.assertEqual(len(diff.package_diff(self.A, {}, 12)), 4)

    def test_packages_come_from_the_layers_status_file_once_per_image(self):
        status = fixture.layer_tar({"var/lib/dpkg/status": (
            b"Package: libc6\nStatus: install ok installed\nInstalled-Size: 7\nVersion: 2.36\n")})
        with tempfile.TemporaryDirectory() as tmp:
            cache = Cache(tmp)
            cache.put_layer("sha256:d", {**layer_mod.list_entries(io.BytesIO(status)), "tar_bytes": 1,
                                          "compressed_bytes": 1})
            image = {"id": "sha256:1", "layers": [{"digest": "sha256:d"}]}
            self.assertEqual(diff.packages(cache, image), {"libc6": 7168})
            cache.layer_files = lambda digest: self.fail("read the layers again")
            self.assertEqual(diff.packages(cache, image), {"libc6": 7168})


class Paths(unittest.TestCase):
    def test_two_measured_images(self):
        engine = fixture.FakeEngine()
        pool = gzsize.Pool(2)
        with tempfile.TemporaryDirectory() as tmp:
            cache = Cache(tmp)
            fixture.sample_image(engine, "fat:1")
            a = measure.measure(engine, cache, pool, "fat:1")
            small = fixture.layer_tar({"app/run": b"r" * 10})
            archive, image_id, diff_ids = fixture.save_archive([small], [{"created_by": "COPY"}])
            engine.add("slim:1", archive, image_id, diff_ids, [{"size": 1, "created_by": "COPY", "comment": ""}])
            b = measure.measure(engine, cache, pool, "slim:1")
            total, groups = diff.paths(cache, a, b)
            self.assertEqual(diff.paths(cache, a, b), (total, groups))
        pool.close()
        # /usr/bin/link is whited out by the upper layer; /app/run is in both.
        self.assertEqual(total, 3000 + 500 + 700)
        self.assertEqual(groups, [("/usr/bin", 3000), ("/usr/lib/x86_64-linux-gnu/*.a", 700),
                                  ("/usr/lib/x86_64-linux-gnu/*.so*", 500)])
