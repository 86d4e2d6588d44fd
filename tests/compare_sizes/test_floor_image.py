import io
import tarfile
import unittest

import fixture  # noqa: F401  (puts scripts/ on the path)
from compare_sizes import floor_image


def entry(name, data=b"", link=None, mode=0o755):
    info = tarfile.TarInfo(name)
    if link is not None:
        info.type, info.linkname = tarfile.SYMTYPE, link
    else:
        info.size, info.mode = len(data), mode
    return info


class Settings(unittest.TestCase):
    def test_the_floor_image_is_named_after_the_image(self):
        cases = {"askeladden:v0.2": ("askeladden-floor", "v0.2"),
                 "localhost:32000/askeladden": ("localhost:32000/askeladden-floor", "latest"),
                 "localhost:32000/a:slim@sha256:" + "0" * 64: ("localhost:32000/a-floor", "slim"),
                 "sha256:" + "ab" * 32: ("compare-sizes-floor", "ab" * 6), "abcdef": ("compare-sizes-floor", "abcdef")}
        for image, name in cases.items():
            self.assertEqual(floor_image.name_for(image), name, image)

    def test_never_root(self):
        for user, runs_as in (("", "65534:65534"), ("0", "65534:65534"), ("root", "65534:65534"),
                              ("0:0", "65534:65534"), ("10001:10001", "10001:10001"), ("app", "app")):
            self.assertEqual(floor_image.run_user({"User": user}), runs_as, user)

    def test_a_named_user_needs_passwd(self):
        self.assertEqual([floor_image.user_is_named({"User": u}) for u in ("app", "app:grp", "10001", "", None)],
                         [True, True, False, False, False])

    def test_the_lowest_tcp_port(self):
        self.assertEqual(floor_image.port({"ExposedPorts": {"9000/tcp": {}, "8090/tcp": {}, "53/udp": {}}}), 8090)
        self.assertIsNone(floor_image.port({"ExposedPorts": {"53/udp": {}}}))
        self.assertIsNone(floor_image.port({}))

    def test_the_settings_carried_over(self):
        config = {"Entrypoint": ["/usr/local/bin/app", 'say "hi"'], "Cmd": None,
                  "Env": ["PATH=/usr/bin", "GREETING=a b"], "ExposedPorts": {"8090/tcp": {}},
                  "User": "10001:10001", "WorkingDir": "", "StopSignal": "SIGINT"}
        self.assertEqual(floor_image.changes(config), [
            'ENTRYPOINT ["/usr/local/bin/app", "say \\"hi\\""]', 'ENV PATH="/usr/bin"',
            'ENV GREETING="a b"', "EXPOSE 8090/tcp", "USER 10001:10001", "STOPSIGNAL SIGINT"])


class Assemble(unittest.TestCase):
    def test_full_paths_parents_links_and_bytes(self):
        data = floor_image.assemble([
            ("/usr/local/bin/app", entry("app", b"\x7fELF"), b"\x7fELF"),
            ("/lib64", entry("lib64", link="usr/lib64"), b""),
            ("/usr/lib64/ld.so", entry("ld.so", link="/usr/lib/ld.so"), b""),
            ("/usr/lib/ld.so", entry("ld.so", b"ld", mode=0o644), b"ld")])
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            members = {m.name: m for m in tar.getmembers()}
            self.assertEqual(list(members), ["usr", "usr/local", "usr/local/bin", "usr/local/bin/app",
                                             "lib64", "usr/lib64", "usr/lib64/ld.so", "usr/lib", "usr/lib/ld.so"])
            self.assertTrue(all(members[d].isdir() for d in ("usr", "usr/local", "usr/lib64", "usr/lib")))
            self.assertEqual(tar.extractfile("usr/local/bin/app").read(), b"\x7fELF")
            self.assertEqual((members["lib64"].linkname, members["usr/lib64/ld.so"].linkname),
                             ("usr/lib64", "/usr/lib/ld.so"))
            self.assertEqual((members["usr/lib/ld.so"].mode, members["usr/local/bin/app"].mode), (0o644, 0o755))


if __name__ == "__main__":
    unittest.main()
