"""Unit tests of the compare-sizes benchmark's figures and table.

Run: /usr/bin/python3 scripts/bench/test_sizes.py (prints "bench-sizes: N
passed, N failed" last, for tests/run.sh)."""
import sys
import unittest
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import sizes  # noqa: E402


def round_(save, cold, rerun, peak):
    return {"save_s": save, "cold_s": cold, "rerun_s": rerun, "peak_mb": peak}


class Figures(unittest.TestCase):
    def test_medians_against_the_targets_on_both_sides(self):
        # save 20 s: the cold target is 35 s; the medians are 35, 1.0 and 200.
        found = sizes.figures([round_(20, 35, 1.0, 200), round_(10, 99, 0.2, 10), round_(30, 30, 5, 300)])
        self.assertEqual([(f["name"], f["measured"], f["target"], f["met"]) for f in found],
                         [("cold run", 35, 35, True), ("rerun", 1.0, 1.0, True), ("peak memory", 200, 200, True)])
        over = sizes.figures([round_(20, 35.1, 1.01, 200.1)])
        self.assertEqual([f["met"] for f in over], [False, False, False])
        self.assertAlmostEqual(over[0]["ratio"], 35.1 / 35)

    def test_the_table_lines_up_and_says_which_was_missed(self):
        text = sizes.table(sizes.figures([round_(20, 40, 0.5, 120)]))
        lines = text.splitlines()
        self.assertEqual(len({line.index("x  ") for line in lines[1:]}), 1, text)
        self.assertIn("MISSED", lines[1])
        self.assertIn("1.5 x docker save (20.0 s) + 5 s", lines[1])
        self.assertIn(" met ", lines[2])

    def test_timed_reports_the_peak_of_the_child(self):
        seconds, peak = sizes.timed([sys.executable, "-c", "b = bytearray(64 * 2**20); b[::4096] = b'x' * len(b[::4096])"])
        self.assertGreater(peak, 60)
        small_seconds, small = sizes.timed(["true"])
        self.assertLess(small, 60)
        self.assertGreaterEqual(seconds, 0)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    print(f"bench-sizes: {result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
