"""The unit tests of scripts/compare_sizes/, on small image archives made in
the tests (no engine needed). One line per test, then
"compare-sizes-unit: N passed, N failed[, N skipped]"; exit 1 when any failed."""
import os
import sys
import unittest


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    suite = unittest.defaultTestLoader.discover(here, pattern="test_*.py", top_level_dir=here)
    # buffer: the progress lines of a test show only when it fails.
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2, buffer=True).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    line = f"compare-sizes-unit: {passed} passed, {failed} failed"
    print(line + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed or result.testsRun == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
