import shutil
import unittest

from compare_sizes import elf, rootfs
from compare_sizes.rootfs import Node

LOADER = "/lib64/ld-linux-x86-64.so.2"


def so(*needed, interp=None, runpath=()):
    return Node(100, elf=elf.ElfInfo(interp, tuple(needed), tuple(runpath)))


# A Debian-like image: /lib is a link to usr/lib (usrmerge), the loader is
# reached through /lib64, libc through its soname link.
DEBIAN = {
    "/usr/local/bin/askeladden": so("libevent-2.1.so.7", "libc.so.6", interp=LOADER),
    "/lib": Node(0, link="usr/lib"),
    "/lib64": Node(0, link="usr/lib64"),
    "/usr/lib64/ld-linux-x86-64.so.2": Node(0, link="/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
    "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2": so(),
    "/usr/lib/x86_64-linux-gnu/libc.so.6": so("ld-linux-x86-64.so.2", interp=LOADER),
    "/usr/lib/x86_64-linux-gnu/libevent-2.1.so.7": Node(0, link="libevent-2.1.so.7.0.1"),
    "/usr/lib/x86_64-linux-gnu/libevent-2.1.so.7.0.1": so("libc.so.6"),
    "/usr/bin/unrelated": so("libc.so.6", interp=LOADER),
}


class Resolve(unittest.TestCase):
    def test_links_relative_and_absolute(self):
        tree = rootfs.Tree(DEBIAN)
        self.assertEqual(tree.resolve("/lib64/ld-linux-x86-64.so.2"),
                         "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
        self.assertEqual(tree.resolve("/lib/x86_64-linux-gnu/libevent-2.1.so.7"),
                         "/usr/lib/x86_64-linux-gnu/libevent-2.1.so.7.0.1")

    def test_dot_dot_never_leaves_the_root(self):
        tree = rootfs.Tree({"/etc/passwd": Node(10), "/bin/x": Node(1)})
        self.assertEqual(tree.resolve("/../../etc/passwd"), "/etc/passwd")
        self.assertEqual(tree.resolve("/bin/../../../../etc/passwd"), "/etc/passwd")
        self.assertIsNone(tree.resolve("/../../etc/shadow"))  # not in the image: absent

    def test_a_link_to_the_root_is_the_image_root(self):
        tree = rootfs.Tree({"/evil": Node(0, link="/"), "/also": Node(0, link="../../../.."),
                            "/etc/hostname": Node(5)})
        self.assertEqual(tree.resolve("/evil/etc/hostname"), "/etc/hostname")
        self.assertEqual(tree.resolve("/also/etc/hostname"), "/etc/hostname")
        self.assertIsNone(tree.resolve("/evil/etc/passwd"))

    def test_link_loops_end(self):
        tree = rootfs.Tree({"/a": Node(0, link="b"), "/b": Node(0, link="/a"),
                            "/self": Node(0, link="self")})
        self.assertIsNone(tree.resolve("/a"))
        self.assertIsNone(tree.resolve("/self/x"))


class Closure(unittest.TestCase):
    def test_the_binary_its_loader_and_libraries_with_the_links_passed(self):
        files, missing = rootfs.closure(rootfs.Tree(DEBIAN), "/usr/local/bin/askeladden")
        self.assertEqual(missing, [])
        self.assertEqual(files[:4], ["/usr/local/bin/askeladden",
                                     "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                                     "/usr/lib/x86_64-linux-gnu/libevent-2.1.so.7.0.1",
                                     "/usr/lib/x86_64-linux-gnu/libc.so.6"])
        self.assertEqual(set(files[4:]), {"/lib64", "/usr/lib64/ld-linux-x86-64.so.2", "/lib",
                                          "/usr/lib/x86_64-linux-gnu/libevent-2.1.so.7"})
        self.assertNotIn("/usr/bin/unrelated", files)

    def test_a_static_binary_is_its_own_floor(self):
        files, missing = rootfs.closure(rootfs.Tree({"/hello": so()}), "/hello")
        self.assertEqual((files, missing), (["/hello"], []))

    def test_runpath_with_origin_comes_first(self):
        tree = rootfs.Tree({"/app/bin/x": so("libz.so", runpath=("$ORIGIN/../lib",)),
                            "/app/lib/libz.so": so(), "/usr/lib/libz.so": so()})
        self.assertEqual(rootfs.closure(tree, "/app/bin/x")[0], ["/app/bin/x", "/app/lib/libz.so"])

    def test_what_cannot_be_found_is_named(self):
        tree = rootfs.Tree({"/x": so("libgone.so.1", interp="/lib/ld.so")})
        self.assertEqual(rootfs.closure(tree, "/x"), (["/x"], ["/lib/ld.so", "libgone.so.1"]))

    def test_a_hostile_tree_gives_a_floor_and_touches_nothing_here(self):
        tree = rootfs.Tree({"/x": so("libloop.so", "../../../../etc/passwd", interp="/../../etc/passwd"),
                            "/usr/lib/libloop.so": Node(0, link="/usr/lib/libloop.so"),
                            "/lib": Node(0, link="/")})
        files, missing = rootfs.closure(tree, "/x")
        self.assertEqual(files, ["/x"])
        self.assertEqual(missing, ["/../../etc/passwd", "libloop.so", "../../../../etc/passwd"])


class ReadElf(unittest.TestCase):
    def test_a_real_binary_of_this_machine(self):
        with open(shutil.which("sh") or "/bin/sh", "rb") as f:
            info = elf.read(f.read())
        self.assertIsNotNone(info)
        assert info is not None
        self.assertTrue(info.interpreter and info.interpreter.startswith("/lib"))
        self.assertIn("libc.so.6", info.needed)

    def test_not_elf_and_truncated_elf(self):
        self.assertIsNone(elf.read(b"#!/bin/sh\n"))
        with open("/bin/sh", "rb") as f:
            data = f.read()
        for cut in (16, 64, 200, 4096):
            info = elf.read(data[:cut])  # no exception, whatever is missing
            self.assertTrue(info is None or isinstance(info, elf.ElfInfo))

    def test_offsets_out_of_bounds_read_as_absent(self):
        with open("/bin/sh", "rb") as f:
            header = bytearray(f.read(64))
        header[32:40] = (10 ** 12).to_bytes(8, "little")  # program headers far past the end
        self.assertEqual(elf.read(bytes(header)), elf.ElfInfo(None, (), ()))


if __name__ == "__main__":
    unittest.main()
