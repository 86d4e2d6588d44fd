import json
import unittest

import fixture  # noqa: F401  (puts scripts/ on the path)
from compare_sizes import registry
from compare_sizes.registry import INDEXES, MANIFESTS, NotThere

IMAGE = "sha256:" + "1" * 64
PUSHED = "sha256:" + "2" * 64


def manifest(config=IMAGE, sizes=(30, 40)):
    return json.dumps({"schemaVersion": 2, "config": {"digest": config},
                       "layers": [{"digest": f"sha256:{n}", "size": n} for n in sizes]}).encode()


class Registry(unittest.TestCase):
    def answers(self, table):
        asked = []

        def get(url):
            asked.append(url)
            return table[url.rsplit("/", 1)[1]]
        return get, asked

    def test_sizes_from_the_manifest_of_the_push(self):
        get, asked = self.answers({PUSHED: (MANIFESTS[0], manifest())})
        self.assertEqual(registry.layer_sizes("localhost:32000", "askeladden", PUSHED, IMAGE, "amd64", 2, get),
                         [30, 40])
        self.assertEqual(asked, [f"http://localhost:32000/v2/askeladden/manifests/{PUSHED}"])

    def test_an_index_leads_to_this_platforms_manifest(self):
        platform = "sha256:" + "3" * 64
        index = json.dumps({"manifests": [
            {"digest": "sha256:" + "4" * 64, "platform": {"os": "unknown", "architecture": "unknown"}},
            {"digest": "sha256:" + "5" * 64, "platform": {"os": "linux", "architecture": "arm64"}},
            {"digest": platform, "platform": {"os": "linux", "architecture": "amd64"}}]}).encode()
        get, _ = self.answers({PUSHED: (INDEXES[1], index), platform: (MANIFESTS[1], manifest(sizes=(7,)))})
        self.assertEqual(registry.layer_sizes("r.example:5000", "a/b", PUSHED, IMAGE, "amd64", 1, get), [7])
        with self.assertRaisesRegex(NotThere, "no linux/riscv64 manifest"):
            registry.layer_sizes("r.example:5000", "a/b", PUSHED, IMAGE, "riscv64", 1, get)

    def test_another_image_or_other_layers_are_not_used(self):
        get, _ = self.answers({PUSHED: (MANIFESTS[0], manifest(config="sha256:" + "9" * 64))})
        with self.assertRaisesRegex(NotThere, "another image"):
            registry.layer_sizes("localhost:32000", "a", PUSHED, IMAGE, "amd64", 2, get)
        get, _ = self.answers({PUSHED: (MANIFESTS[0], manifest(sizes=(1, 2, 3)))})
        with self.assertRaisesRegex(NotThere, "lists 3 layers, the image has 2"):
            registry.layer_sizes("localhost:32000", "a", PUSHED, IMAGE, "amd64", 2, get)

    def test_the_push_to_this_host_only(self):
        digests = ("docker.io/library/debian@" + PUSHED, "localhost:32000/team/app@" + IMAGE)
        self.assertEqual(registry.pushed_as(digests, "localhost:32000"), ("team/app", IMAGE))
        self.assertIsNone(registry.pushed_as(digests, "localhost:3200"))
        self.assertIsNone(registry.pushed_as((), "localhost:32000"))

    def test_plain_http_on_loopback_only(self):
        self.assertEqual([registry.base_url(h) for h in ("localhost:32000", "127.0.0.1:5000", "[::1]:5000",
                                                          "registry.example.com", "localhost.example.com:443")],
                         ["http://localhost:32000/v2/", "http://127.0.0.1:5000/v2/", "http://[::1]:5000/v2/",
                          "https://registry.example.com/v2/", "https://localhost.example.com:443/v2/"])

    def test_a_host_is_checked_before_any_work(self):
        for good in ("localhost:32000", "registry.example.com", "[::1]:5000", "10.0.0.1:5000"):
            self.assertEqual(registry.check_host(good), good)
        for bad in ("", "http://localhost:32000", "localhost:32000/v2", "a b", "host:port"):
            with self.assertRaisesRegex(ValueError, "HOST or HOST:PORT"):
                registry.check_host(bad)

    def test_ping_before_any_work(self):
        asked = []
        registry.ping("localhost:32000", lambda url: asked.append(url) or ("", b"{}"))
        self.assertEqual(asked, ["http://localhost:32000/v2/"])
        from compare_sizes.out import Fatal
        with self.assertRaisesRegex(Fatal, "^the registry at http://127.0.0.1:1 does not answer"):
            registry.ping("127.0.0.1:1")

    def test_nothing_listening_is_one_fatal_line(self):
        from compare_sizes.out import Fatal
        with self.assertRaisesRegex(Fatal, r"^the registry at http://127.0.0.1:1 does not answer: "):
            registry.fetch("http://127.0.0.1:1/v2/a/manifests/" + PUSHED)



class Option(unittest.TestCase):
    def test_bad_usage_before_any_work(self):
        from compare_sizes import cli
        from compare_sizes.out import UsageError
        self.assertEqual(cli.parse(["--registry", "localhost:32000"]).registry, "localhost:32000")
        self.assertEqual(cli.parse([]).registry, "")
        with self.assertRaisesRegex(UsageError, "^--registry wants HOST or HOST:PORT, not 'http://x'$"):
            cli.parse(["--registry", "http://x"])


if __name__ == "__main__":
    unittest.main()
