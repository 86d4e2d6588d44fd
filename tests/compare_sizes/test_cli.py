import contextlib
import io
import unittest

import fixture
from compare_sizes import budgets, cli
from compare_sizes.out import Fatal, UsageError


def run_main(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(list(argv))
    return status, out.getvalue(), err.getvalue()


class Parse(unittest.TestCase):
    def test_defaults(self):
        o = cli.parse([])
        self.assertEqual(o, {"format": "text", "svg": "", "top": 12, "build": True, "budgets": [],
                             "images": ["askeladden:v0.1", "askeladden:v0.2"]})

    def test_every_option(self):
        o = cli.parse(["--json", "--svg", "c.svg", "--max-size", "a:1=80MB", "--max-size=b:2=1.5GB",
                       "--top", "3", "--no-build", "a:1", "b:2"])
        self.assertEqual(o, {"format": "json", "svg": "c.svg", "top": 3, "build": False,
                             "budgets": [("a:1", 80 * 10**6), ("b:2", 1500 * 10**6)],
                             "images": ["a:1", "b:2"]})
        self.assertEqual(cli.parse(["--markdown", "--svg=x.svg"])["svg"], "x.svg")
        self.assertEqual(cli.parse(["--json", "--markdown"])["format"], "markdown")

    def test_help_wins_where_it_stands(self):
        self.assertIsNone(cli.parse(["--json", "--help"]))
        self.assertIsNone(cli.parse(["-h", "--bogus"]))
        with self.assertRaises(UsageError):
            cli.parse(["--bogus", "-h"])

    def test_bad_usage(self):
        cases = {("--svg",): "--svg needs a file name", ("--svg", ""): "--svg needs a file name",
                 ("--max-size",): "--max-size needs IMAGE=SIZE",
                 ("--top", "0"): "--top needs a positive number", ("--top", "x"): "--top needs",
                 ("--top",): "--top needs", ("-",): "unknown option '-'",
                 ("--nope",): "unknown option '--nope'",
                 ("a:1",): "name two images", ("a", "b", "c"): "name two images",
                 ("a:1", "a:1"): "name two different images",
                 ("--max-size", "80MB"): "--max-size wants IMAGE=SIZE, not '80MB'",
                 ("--max-size", "a=lots"): "--max-size: bad size 'lots'"}
        for argv, message in cases.items():
            with self.assertRaisesRegex(UsageError, message, msg=argv):
                cli.parse(list(argv))

    def test_bad_usage_is_one_line_and_exit_2(self):
        status, out, err = run_main("--no-such-option")
        self.assertEqual((status, out), (2, ""))
        self.assertEqual(err, "compare-sizes.sh: unknown option '--no-such-option' "
                              "(see compare-sizes.sh --help)\n")

    def test_help_prints_the_usage_block(self):
        status, out, _ = run_main("--help")
        self.assertEqual(status, 0)
        self.assertTrue(out.startswith("Usage: scripts/compare-sizes.sh [options] [IMAGE_A IMAGE_B]\n"))
        self.assertIn("gzipped at level 6", out)
        self.assertTrue(out.endswith("error or a blown budget; 2 on bad usage.\n"))


class Budgets(unittest.TestCase):
    def test_split_at_the_last_equals_sign(self):
        self.assertEqual(budgets.parse("reg:5000/a=b=75MiB"), ("reg:5000/a=b", 75 * 2**20))
        with self.assertRaisesRegex(UsageError, "bad size ''"):
            budgets.parse("a==")
        for spec in ("=1", "a=", "a"):
            with self.assertRaisesRegex(UsageError, "wants IMAGE=SIZE"):
                budgets.parse(spec)

    def test_check(self):
        engine = fixture.FakeEngine()
        engine.add("other:1", b"", "sha256:9", [], [], size=500)
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertTrue(budgets.check([("a:1", 100), ("other:1", 500)], {"a:1": 100}, engine))
            self.assertFalse(budgets.check([("a:1", 99), ("other:1", 600)], {"a:1": 100}, engine))
            with self.assertRaisesRegex(Fatal, "--max-size: no image none:1"):
                budgets.check([("none:1", 1)], {}, engine)
        lines = err.getvalue().splitlines()
        self.assertIn("over budget: a:1 is 100 B (100 bytes), over its --max-size of 99 B (99 bytes)", lines[2])
        self.assertEqual(sum("over budget" in line for line in lines), 1)
        self.assertIn("other:1 is 500 B, within its budget of 600 B", lines[3])
