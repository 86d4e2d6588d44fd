import os
import subprocess
import sys
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Types(unittest.TestCase):
    # mypy.ini says what is checked and how strictly; a type error fails the stage.
    def test_mypy_finds_no_error(self):
        done = subprocess.run([sys.executable, "-m", "mypy", "--config-file", "mypy.ini"],
                              cwd=ROOT, capture_output=True, text=True)
        if "No module named mypy" in done.stderr:
            self.fail(f"{sys.executable} has no mypy (run: scripts/setup.sh images)")
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertTrue(done.stdout.startswith("Success: no issues found in"), done.stdout)
