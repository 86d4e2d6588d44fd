import contextlib
import io
import os
import subprocess
import unittest

import fixture  # noqa: F401  (puts scripts/ on the path)
from compare_sizes import units

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


class HumanBytes(unittest.TestCase):
    def test_decimal_units_with_one_decimal(self):
        cases = {0: "0 B", 999: "999 B", 1000: "1.0 kB", 49517: "49.5 kB",
                 74856691: "74.9 MB", 1207770528: "1.2 GB", 2 * 10**15: "2000.0 TB",
                 # rounding up to 1000 takes the next unit; just under it does not
                 999949: "999.9 kB", 999950: "1.0 MB", 999990: "1.0 MB",
                 999949999: "999.9 MB", 999950000: "1.0 GB"}
        for n, text in cases.items():
            self.assertEqual(units.human_bytes(n), text, n)

    def test_negative_sizes_keep_their_sign(self):
        self.assertEqual(units.human_bytes(-1500), "-1.5 kB")

    def test_the_command_line_one_line_each(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(units.main(["1207770528", "999"]), 0)
        self.assertEqual(out.getvalue(), "1.2 GB\n999 B\n")
        err = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            self.assertEqual(units.main(["12", "lots"]), 2)
        self.assertEqual(err.getvalue(), "human_bytes: not a number of bytes: 'lots'\n")

    # The shell's human_bytes is this one: one definition of the format.
    def test_common_lib_sh_asks_this_module(self):
        script = 'source common/lib.sh && human_bytes 74856691 && human_bytes 49517'
        done = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True)
        self.assertEqual((done.returncode, done.stdout, done.stderr), (0, "74.9 MB\n49.5 kB\n", ""))


class ParseBytes(unittest.TestCase):
    def test_units(self):
        cases = {"80MB": 80 * 10**6, "80M": 80 * 10**6, "1.5GB": 1500 * 10**6,
                 "75MiB": 75 * 2**20, "1048576": 1048576, "2 kB": 2000, "1KiB": 1024,
                 "3b": 3, "1T": 10**12}
        for text, n in cases.items():
            self.assertEqual(units.parse_bytes(text), n, text)

    def test_not_a_size(self):
        for text in ("lots", "", "MB", "1.5.2GB", "-1MB", "80MBB", "80MB\n"):
            self.assertIsNone(units.parse_bytes(text), repr(text))

