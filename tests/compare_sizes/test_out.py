import unittest

import fixture  # noqa: F401  (puts scripts/ on the path)
from compare_sizes import out


class HumanBytes(unittest.TestCase):
    def test_decimal_units_as_docker_shows_them(self):
        cases = {0: "0 B", 999: "999 B", 1000: "1.0 kB", 49517: "49.5 kB",
                 74856691: "74.9 MB", 1207770528: "1.2 GB", 2 * 10**15: "2000.0 TB"}
        for n, text in cases.items():
            self.assertEqual(out.human_bytes(n), text, n)

    def test_negative_sizes_keep_their_sign(self):
        self.assertEqual(out.human_bytes(-1500), "-1.5 kB")


class ParseBytes(unittest.TestCase):
    def test_units(self):
        cases = {"80MB": 80 * 10**6, "80M": 80 * 10**6, "1.5GB": 1500 * 10**6,
                 "75MiB": 75 * 2**20, "1048576": 1048576, "2 kB": 2000, "1KiB": 1024,
                 "3b": 3, "1T": 10**12}
        for text, n in cases.items():
            self.assertEqual(out.parse_bytes(text), n, text)

    def test_not_a_size(self):
        for text in ("lots", "", "MB", "1.5.2GB", "-1MB", "80MBB", "80MB\n"):
            self.assertIsNone(out.parse_bytes(text), repr(text))
