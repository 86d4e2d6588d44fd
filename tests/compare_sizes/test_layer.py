import gzip
import hashlib
import io
import tarfile
import unittest

import fixture
from compare_sizes import gzsize, layer


def member(name, kind=tarfile.REGTYPE, size=0):
    info = tarfile.TarInfo(name)
    info.type, info.size = kind, size
    return info


class EntryOf(unittest.TestCase):
    def test_files_links_and_directories(self):
        self.assertEqual(layer.entry_of(member("usr/bin/gcc", size=7)), ("file", "/usr/bin/gcc", 7))
        self.assertEqual(layer.entry_of(member("./etc/passwd", size=3)), ("file", "/etc/passwd", 3))
        self.assertEqual(layer.entry_of(member("usr/bin/cc", tarfile.SYMTYPE)), ("file", "/usr/bin/cc", 0))
        self.assertEqual(layer.entry_of(member("usr/bin/c++", tarfile.LNKTYPE)), ("file", "/usr/bin/c++", 0))
        self.assertIsNone(layer.entry_of(member("usr/share/", tarfile.DIRTYPE)))

    def test_whiteouts(self):
        self.assertEqual(layer.entry_of(member("usr/share/doc/.wh.gcc")), ("whiteout", "/usr/share/doc/gcc"))
        self.assertEqual(layer.entry_of(member(".wh.tmp")), ("whiteout", "/tmp"))
        self.assertEqual(layer.entry_of(member("var/cache/.wh..wh..opq")), ("opaque", "/var/cache"))


class Measure(unittest.TestCase):
    def setUp(self):
        self.pool = gzsize.Pool(2)

    def tearDown(self):
        self.pool.close()

    def test_one_pass_gives_digest_size_and_files(self):
        data = fixture.layer_tar({"usr": None, "usr/bin/tool": b"t" * 5000, "usr/bin/.wh.old": b"",
                                  "var/.wh..wh..opq": b"", "usr/bin/ln": "->tool"})
        digest, record = layer.measure(io.BytesIO(data), self.pool)
        self.assertEqual(digest, "sha256:" + hashlib.sha256(data).hexdigest())
        self.assertEqual(record["tar_bytes"], len(data))
        self.assertEqual(record["compressed_bytes"], len(gzip.compress(data, 6)))
        self.assertEqual(record["files"], {"/usr/bin/tool": 5000, "/usr/bin/ln": 0})
        # As overlay2 counts a layer: the file's bytes and the link's target, "tool".
        self.assertEqual(record["unpacked_bytes"], 5004)
        self.assertEqual(record["whiteouts"], ["/usr/bin/old"])
        self.assertEqual(record["opaque"], ["/var"])

    def test_a_hard_link_counts_once_unpacked(self):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            info = tarfile.TarInfo("bin/a")
            info.size = 700
            tar.addfile(info, io.BytesIO(b"a" * 700))
            link = tarfile.TarInfo("bin/b")
            link.type, link.linkname = tarfile.LNKTYPE, "bin/a"
            tar.addfile(link)
            directory = tarfile.TarInfo("etc")
            directory.type = tarfile.DIRTYPE
            tar.addfile(directory)
        _, record = layer.measure(io.BytesIO(buffer.getvalue()), self.pool)
        self.assertEqual(record["unpacked_bytes"], 700)

    def test_the_digest_covers_what_follows_the_end_of_archive(self):
        data = fixture.layer_tar({"a": b"1"}) + b"\0" * 4096
        digest, _ = layer.measure(io.BytesIO(data), self.pool)
        self.assertEqual(digest, fixture.digest(data))
        self.assertEqual(layer.digest_only(io.BytesIO(data)), digest)
