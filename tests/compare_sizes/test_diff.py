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

    def test_path_changes_both_ways_largest_first(self):
        a = {"/usr/bin/gcc": 50, "/usr/bin/ls": 5, "/usr/include/a.h": 7, "/usr/include/b/c.h": 8,
             "/etc/x": 15, "/etc/same": 3, "/var/grow": 10, "/var/shrink": 40, "/opt/a/1": 2, "/opt/a/2": 4}
        b = {"/usr/bin/ls": 5, "/etc/y": 1, "/etc/same": 3, "/var/grow": 12, "/var/shrink": 10,
             "/usr/local/bin/app": 9, "/opt/a/1": 4, "/opt/a/2": 2}
        removed, added, changed = diff.path_changes(a, b)
        self.assertEqual(removed, (80, [("/usr/bin", 50), ("/etc", 15), ("/usr/include", 15)]))
        self.assertEqual(added, (10, [("/usr/local/bin", 9), ("/etc", 1)]))
        # /var: +2 and -30; /opt/a: +2 and -2 sum to nothing and is not listed.
        self.assertEqual(changed, (-28, [("/var", -28)]))
        self.assertEqual(diff.path_changes(b, a).changed, (28, [("/var", 28)]))


def pkg(version, size):
    return {"version": version, "bytes": size}


class Packages(unittest.TestCase):
    A = {"gcc-12": pkg("12.2.0-14", 102400), "libc6": pkg("2.36-9", 7168), "empty": pkg("1", 0),
         "cpp-12": pkg("12.2.0-14", 102400)}

    def test_removed_added_and_at_another_version(self):
        b = {"libc6": pkg("2.36-9+deb12u4", 8192), "empty": pkg("1", 0), "dash": pkg("0.5.12-2", 204)}
        removed, added, changed = diff.package_changes(self.A, b)
        self.assertEqual(removed, [{"package": "cpp-12", "version": "12.2.0-14", "bytes": 102400},
                                   {"package": "gcc-12", "version": "12.2.0-14", "bytes": 102400}])
        self.assertEqual(added, [{"package": "dash", "version": "0.5.12-2", "bytes": 204}])
        self.assertEqual(changed, [{"package": "libc6", "version_a": "2.36-9", "version_b": "2.36-9+deb12u4",
                                    "bytes_a": 7168, "bytes_b": 8192}])
        self.assertEqual(diff.package_changes(self.A, self.A), ([], [], []))

    def test_packages_come_from_the_layers_status_file_once_per_image(self):
        status = fixture.layer_tar({"var/lib/dpkg/status": (
            b"Package: libc6\nStatus: install ok installed\nInstalled-Size: 7\nVersion: 2.36\n")})
        with tempfile.TemporaryDirectory() as tmp:
            cache = Cache(tmp)
            cache.put_layer("sha256:d", {**layer_mod.list_entries(io.BytesIO(status)), "tar_bytes": 1,
                                          "compressed_bytes": 1})
            image = {"id": "sha256:1", "layers": [{"digest": "sha256:d"}]}
            self.assertEqual(diff.packages(cache, image), {"libc6": pkg("2.36", 7168)})
            cache.layer_files = lambda digest: self.fail("read the layers again")
            self.assertEqual(diff.packages(cache, image), {"libc6": pkg("2.36", 7168)})


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
            (total, groups), added, _ = changes = diff.paths(cache, a, b)
            self.assertEqual(diff.paths(cache, a, b), changes)
        pool.close()
        # /usr/bin/link is whited out by the upper layer; /app/run is in both.
        self.assertEqual(total, 3000 + 500 + 700)
        self.assertEqual(groups, [("/usr/bin", 3000), ("/usr/lib/x86_64-linux-gnu/*.a", 700),
                                  ("/usr/lib/x86_64-linux-gnu/*.so*", 500)])
