"""Unit tests of tests/promises.py, on small trees made here; then mypy's
check of its types. Prints "promises-tests: N passed, N failed"."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import promises  # noqa: E402

DOC = """# Title

Not a promise.

<!-- promises -->

| option | default |
| --- | --- |
| `--port N` | 8090 \\| 0 |

It answers `GET`. It logs
one line.

- A list item: 405 for the rest.

      askeladden: stopped

## A heading

<!-- /promises -->

Not a promise either.
"""

SUITE = """START_TEST(answers_get)
{
}
END_TEST
START_TEST(defined_only)
{
}
END_TEST
void add(TCase *tc) { tcase_add_test(tc, answers_get); }
"""

XML = """<?xml version="1.0"?>
<testsuites xmlns="http://check.sourceforge.net/ns"><suite><title>s</title>
<test result="success"><id>answers_get</id></test>
<test result="success"><id>looped</id></test>
<test result="failure"><id>looped</id></test>
</suite></testsuites>
"""


def row(name: str, statement: str, tests: tuple[str, ...] = ("answers_get",),
        mutants: tuple[str, ...] = (), stage: str = "unit") -> promises.Row:
    return promises.Row(name, "README.md", stage, tests, mutants, statement)


class StatementsTest(unittest.TestCase):
    def test_table_rows_code_lines_and_sentences_of_marked_regions(self) -> None:
        self.assertEqual(promises.statements(DOC), [
            "--port N | 8090 | 0",
            "It answers GET.",
            "It logs one line.",
            "A list item: 405 for the rest.",
            "askeladden: stopped",
        ])

    def test_nothing_outside_the_marks(self) -> None:
        self.assertEqual(promises.statements("Some text.\n"), [])


class ProblemsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        self.root = Path(self.dir.name)
        (self.root / "docs").mkdir()
        (self.root / "tests").mkdir()
        (self.root / "README.md").write_text("<!-- promises -->\nIt answers GET.\n<!-- /promises -->\n")
        (self.root / "docs" / "server.md").write_text("")
        (self.root / "tests" / "suite_a.c").write_text(SUITE)
        (self.root / "tests" / "images_test.sh").write_text('check "$what: exits 0 on SIGINT"\n')

    def tearDown(self) -> None:
        self.dir.cleanup()

    def problems(self, rows: list[promises.Row], mutants: list[str] = []) -> list[str]:
        return promises.problems(self.root, rows, mutants)

    def test_a_pinned_statement_is_fine(self) -> None:
        self.assertEqual(self.problems([row("get", "It answers GET.", mutants=("m",))], ["m"]), [])

    def test_a_statement_with_no_row(self) -> None:
        self.assertEqual(self.problems([]), ["README.md promises, with no row: It answers GET."])

    def test_a_row_whose_statement_is_gone(self) -> None:
        found = self.problems([row("get", "It answers GET."), row("old", "It answers POST.")])
        self.assertEqual(found, ["old: README.md no longer says: It answers POST."])

    def test_a_test_defined_but_not_registered_is_missing(self) -> None:
        found = self.problems([row("get", "It answers GET.", ("defined_only",))])
        self.assertEqual(found, ["get: no Check test defined_only is defined and registered"])

    def test_a_row_with_no_test(self) -> None:
        self.assertEqual(self.problems([row("get", "It answers GET.", ())]), ["get: no test pins it"])

    def test_shell_checks_are_named_by_file_and_text(self) -> None:
        good = row("get", "It answers GET.", ("images_test.sh:exits 0 on SIGINT",), stage="images")
        self.assertEqual(self.problems([good]), [])
        bad = good._replace(tests=("images_test.sh:exits 0 on SIGHUP",))
        self.assertEqual(self.problems([bad]),
                         ["get: no check 'images_test.sh:exits 0 on SIGHUP' (FILE:TEXT under tests/)"])

    def test_mutants_named_and_unnamed(self) -> None:
        found = self.problems([row("get", "It answers GET.", mutants=("gone",))], ["spare"])
        self.assertEqual(found, ["get: no mutant gone in tests/mutants.tsv",
                                 "mutant spare: no row of the table names it"])


class RanTest(unittest.TestCase):
    def test_a_test_passes_only_when_no_run_of_it_failed(self) -> None:
        with tempfile.TemporaryDirectory() as work:
            xml = Path(work, "check-v0.1.xml")
            xml.write_text(XML)
            self.assertEqual(promises.passed_in(xml), {"answers_get"})
            rows = [row("a", "x", ("answers_get", "looped")), row("b", "y", ("looped",))]
            self.assertEqual(promises.not_run(rows, [xml]),
                             ["check-v0.1.xml: looped did not pass (it pins a, b)"])


class TypesTest(unittest.TestCase):
    def test_mypy_finds_no_error(self) -> None:
        here = Path(__file__).resolve().parent
        result = subprocess.run(
            ["/usr/bin/python3", "-m", "mypy", "--strict", "--cache-dir", str(here.parent / "build" / "mypy-cache"),
             str(here / "promises.py"), str(here / "test_promises.py")],
            capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


if __name__ == "__main__":
    result = unittest.main(exit=False).result
    failed = len(result.failures) + len(result.errors)
    print(f"promises-tests: {result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
