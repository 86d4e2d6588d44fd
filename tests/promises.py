"""The promise table: every statement the docs make about the server has a
row in tests/promises.tsv naming the tests that pin it.

    promises.py check        the table against the docs, the suites and the
                             mutant list (make test-scripts)
    promises.py ran XML...   every unit-stage test of the table passed in
                             these Check XML results (tests/run-check.sh)
    promises.py statements   the statements of the marked regions, one a line

Statements come from the regions of README.md and docs/server.md between
"<!-- promises" and "<!-- /promises -->": a table row, a code line, or a
sentence of a paragraph or list item, with Markdown's backticks and escapes
dropped and white space folded. Prints "promises: N passed, N failed".
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterable, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "tests" / "promises.tsv"
MUTANTS = ROOT / "tests" / "mutants.tsv"
SOURCES = ("README.md", "docs/server.md")
# Stages whose tests are Check tests, named by their function.
CHECK_STAGES = ("unit", "asan")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(])")


class Row(NamedTuple):
    name: str
    source: str
    stage: str
    tests: tuple[str, ...]
    mutants: tuple[str, ...]
    statement: str


def fold(text: str) -> str:
    """A statement as compared: no backticks or escapes, single spaces."""
    text = text.replace("\\|", "|").replace("`", "")
    return " ".join(text.split())


def regions(markdown: str) -> list[list[str]]:
    """The lines of each marked region."""
    found: list[list[str]] = []
    current: list[str] | None = None
    for line in markdown.splitlines():
        if line.startswith("<!-- /promises"):
            if current is not None:
                found.append(current)
            current = None
        elif line.startswith("<!-- promises"):
            current = []
        elif current is not None:
            current.append(line)
    return found


def is_separator(line: str) -> bool:
    """A table's header separator, | --- | --- |."""
    return bool(re.fullmatch(r"\|[\s|:-]+\|", line.strip()))


def blocks(lines: list[str]) -> Iterable[tuple[str, str]]:
    """(kind, text) for each table row, code line, and paragraph or list item."""
    para: list[str] = []
    lines = lines + [""]
    for index, line in enumerate(lines[:-1]):
        stripped = line.strip()
        code = line.startswith("    ")
        if para and (not stripped or stripped.startswith(("- ", "|")) or code):
            yield "prose", " ".join(para)
            para = []
        if not stripped or stripped.startswith("#") or is_separator(lines[index + 1]):
            continue
        if code:
            yield "code", stripped
        elif stripped.startswith("|"):
            if not is_separator(stripped):
                cells = re.split(r"(?<!\\)\|", stripped.strip("|"))
                yield "row", " | ".join(c.strip() for c in cells)
        else:
            para.append(stripped[2:] if stripped.startswith("- ") else stripped)
    if para:
        yield "prose", " ".join(para)


def statements(markdown: str) -> list[str]:
    found: list[str] = []
    for region in regions(markdown):
        for kind, text in blocks(region):
            parts = SENTENCE_END.split(text) if kind == "prose" else [text]
            found.extend(fold(part) for part in parts if part.strip())
    return found


def read_rows(path: Path) -> list[Row]:
    rows: list[Row] = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 6:
            raise SystemExit(f"{path}:{number}: {len(fields)} fields, not 6")
        name, source, stage, tests, mutants, statement = fields
        rows.append(Row(name, source, stage, tuple(t.strip() for t in tests.split(";") if t.strip()),
                        tuple(m for m in mutants.split() if m != "-"), fold(statement)))
    return rows


def mutant_names(path: Path) -> list[str]:
    return [line.split("\t", 1)[0] for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def check_tests(root: Path) -> set[str]:
    """The Check tests that are defined and registered in a suite."""
    defined: set[str] = set()
    registered: set[str] = set()
    for suite in sorted((root / "tests").glob("suite_*.c")):
        text = suite.read_text()
        defined.update(re.findall(r"START_TEST\((\w+)\)", text))
        registered.update(re.findall(r"tcase_add_(?:loop_)?test\(\w+,\s*(\w+)", text))
    return defined & registered


def shell_check_exists(root: Path, test: str) -> bool:
    """FILE:TEXT: the test driver FILE names a check with TEXT in it."""
    file, _, text = test.partition(":")
    path = root / "tests" / file
    return bool(text) and path.is_file() and text in path.read_text()


def problems(root: Path, rows: list[Row], mutants: list[str]) -> list[str]:
    """What is wrong with the table, one line each."""
    found: list[str] = []
    said = {source: statements((root / source).read_text()) for source in SOURCES}
    pinned = {(row.source, row.statement) for row in rows}
    for source, texts in said.items():
        found.extend(f"{source} promises, with no row: {text}" for text in texts
                     if (source, text) not in pinned)
    checks = check_tests(root)
    names = set()
    for row in rows:
        if row.name in names:
            found.append(f"{row.name}: two rows have this name")
        names.add(row.name)
        if row.source not in said:
            found.append(f"{row.name}: {row.source} is not one of {', '.join(SOURCES)}")
        elif row.statement not in said[row.source]:
            found.append(f"{row.name}: {row.source} no longer says: {row.statement}")
        if not row.tests:
            found.append(f"{row.name}: no test pins it")
        for test in row.tests:
            if row.stage in CHECK_STAGES and test not in checks:
                found.append(f"{row.name}: no Check test {test} is defined and registered")
            elif row.stage not in CHECK_STAGES and not shell_check_exists(root, test):
                found.append(f"{row.name}: no check '{test}' (FILE:TEXT under tests/)")
        found.extend(f"{row.name}: no mutant {m} in tests/mutants.tsv" for m in row.mutants
                     if m not in mutants)
    named = {m for row in rows for m in row.mutants}
    found.extend(f"mutant {m}: no row of the table names it" for m in mutants if m not in named)
    return found


def passed_in(xml: Path) -> set[str]:
    """The Check tests that ran in this XML result and never failed."""
    passed: set[str] = set()
    failed: set[str] = set()
    for test in ET.parse(xml).getroot().iter():
        if test.tag.endswith("}test"):
            name = next((c.text or "" for c in test if c.tag.endswith("}id")), "")
            (passed if test.get("result") == "success" else failed).add(name)
    return passed - failed


def unit_tests(rows: list[Row]) -> dict[str, list[str]]:
    """Each Check test the table names, with the rows that name it."""
    tests: dict[str, list[str]] = {}
    for row in rows:
        if row.stage == "unit":
            for test in row.tests:
                tests.setdefault(test, []).append(row.name)
    return tests


def not_run(rows: list[Row], xml_files: list[Path]) -> list[str]:
    """The table's unit tests that did not pass in each of the XML files."""
    found: list[str] = []
    tests = unit_tests(rows)
    for xml in xml_files:
        passed = passed_in(xml)
        found.extend(f"{xml.name}: {test} did not pass (it pins {', '.join(names)})"
                     for test, names in sorted(tests.items()) if test not in passed)
    return found


def report(failures: list[str], total: int) -> int:
    for failure in failures:
        print(f"promises: {failure}", file=sys.stderr)
    print(f"promises: {total - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    rows = read_rows(TABLE)
    if argv[0] == "statements":
        for source in SOURCES:
            print("\n".join(f"{source}\t{s}" for s in statements((ROOT / source).read_text())))
        return 0
    if argv[0] == "check":
        failures = problems(ROOT, rows, mutant_names(MUTANTS))
        return report(failures, len(rows) + len(failures))
    if argv[0] == "ran" and len(argv) > 1:
        failures = not_run(rows, [Path(a) for a in argv[1:]])
        return report(failures, len(unit_tests(rows)) * (len(argv) - 1))
    print(f"promises.py: unknown command {' '.join(argv)!r} (see promises.py --help)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
