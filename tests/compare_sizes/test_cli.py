import contextlib
import io
import gzip
import json
import os
import tempfile
import unittest

import fixture
from compare_sizes import budgets, cli, engine, out, report
from compare_sizes.budgets import Budget
from compare_sizes.out import COLOUR, PLAIN, Console, Fatal, UsageError

try:
    import docker.errors
except ImportError:     # python3-docker: scripts/setup.sh images
    docker = None


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self):
        return True


def size_budget(image, limit, size, held):
    """A --max-size result, as the JSON's budgets[] has it."""
    return {"image": image, "option": "--max-size", "limit_bytes": limit, "limit_percent": None,
            "baseline_bytes": None, "size_bytes": size, "held": held}


def figures(size, compressed=0, wasted=0):
    return {"size_bytes": size, "compressed_bytes": compressed, "wasted_bytes": wasted}


def run_main(*argv, environ=None, make_engine=None, ttys=""):
    """Exit status, stdout and stderr of main(ARGV); TTYS names the streams
    that are terminals ("stdout", "stderr", both or neither)."""
    stdout = Terminal() if "stdout" in ttys else io.StringIO()
    stderr = Terminal() if "stderr" in ttys else io.StringIO()
    kwargs = {"make_engine": make_engine} if make_engine else {}
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = cli.main(list(argv), {} if environ is None else environ, **kwargs)
    out.use(Console())
    return status, stdout.getvalue(), stderr.getvalue()


class Parse(unittest.TestCase):
    def test_defaults(self):
        self.assertEqual(cli.parse([]), cli.Options(
            images=("askeladden:v0.1", "askeladden:v0.2"), format="text", svg="", top=12,
            build=True, budgets=()))

    def test_every_option(self):
        o = cli.parse(["--json", "--svg", "c.svg", "--max-size", "a:1=80MB", "--max-size=b:2=1.5GB",
                       "--top", "3", "--no-build", "a:1", "b:2"])
        self.assertEqual(o, cli.Options(images=("a:1", "b:2"), format="json", svg="c.svg", top=3,
                                        build=False,
                                        budgets=(Budget("a:1", 80 * 10**6), Budget("b:2", 1500 * 10**6))))
        self.assertEqual(cli.parse(["--markdown", "--svg=x.svg"]).svg, "x.svg")
        self.assertEqual(cli.parse(["a:1", "--markdown", "b:2"]).images, ("a:1", "b:2"))

    def test_json_and_markdown_exclude_each_other(self):
        for argv in (["--json", "--markdown"], ["--markdown", "a:1", "b:2", "--json"]):
            with self.assertRaisesRegex(UsageError, "not allowed with", msg=argv):
                cli.parse(argv)
        self.assertEqual(cli.parse(["--json", "--json"]).format, "json")

    def test_help_wins_wherever_it_stands(self):
        for argv in (["--json", "--help"], ["-h", "--bogus"], ["--bogus", "-h"], ["a", "-h"]):
            self.assertIsNone(cli.parse(argv), argv)
        with self.assertRaises(UsageError):
            cli.parse(["--top", "x", "-h"])

    def test_no_abbreviations(self):
        with self.assertRaisesRegex(UsageError, "unknown option '--js'"):
            cli.parse(["--js"])

    def test_bad_usage(self):
        cases = {("--svg",): "--svg needs a file name", ("--svg", ""): "--svg needs a file name",
                 ("--svg=",): "--svg needs a file name",
                 ("--max-size",): "--max-size needs IMAGE=SIZE",
                 ("--top", "0"): "--top needs a positive number", ("--top", "x"): "--top needs",
                 ("--top",): "--top needs", ("--top", "-1"): "--top needs", ("-",): "unknown option '-'",
                 ("--nope",): "unknown option '--nope'", ("a:1", "b:2", "-x"): "unknown option '-x'",
                 ("a:1",): "name two images", ("a", "b", "c"): "name two images",
                 ("a:1", "a:1"): "name two different images",
                 ("--max-size", "80MB"): "--max-size wants IMAGE=SIZE, not '80MB'",
                 ("--max-size", "a=lots"): "--max-size: bad size 'lots'"}
        for argv, message in cases.items():
            with self.assertRaisesRegex(UsageError, message, msg=argv):
                cli.parse(list(argv))


class Main(unittest.TestCase):
    def test_bad_usage_is_one_line_and_exit_2(self):
        status, stdout, stderr = run_main("--no-such-option")
        self.assertEqual((status, stdout), (2, ""))
        self.assertEqual(stderr, "compare-sizes.sh: unknown option '--no-such-option' "
                                 "(see compare-sizes.sh --help)\n")
        status, _, stderr = run_main("--json", "--markdown")
        self.assertEqual(status, 2)
        self.assertEqual(stderr, "compare-sizes.sh: --markdown: not allowed with argument --json "
                                 "(see compare-sizes.sh --help)\n")

    def test_the_environment_is_read_when_main_runs(self):
        status, _, stderr = run_main("--nope", environ={"SCRIPT_NAME": "other.sh"})
        self.assertEqual(status, 2)
        self.assertEqual(stderr, "other.sh: unknown option '--nope' (see other.sh --help)\n")
        places = cli.Places.from_environ({"ASKELADDEN_ROOT": "/r", "HOME": "/home/x"})
        self.assertEqual(places, cli.Places("/r", "/home/x/.local/state/askeladden"))
        places = cli.Places.from_environ({"ASKELADDEN_ROOT": "/r", "XDG_STATE_HOME": "/s",
                                          "ASKELADDEN_STATE": "/t"})
        self.assertEqual(places.state, "/t")

    @unittest.skipIf(docker is None, "python3-docker is not installed")
    def test_an_engine_that_cannot_be_reached_is_named_with_the_cause(self):
        cases = {"unix:///nonexistent/docker.sock": "the Docker engine at DOCKER_HOST="
                 "unix:///nonexistent/docker.sock does not answer: No such file or directory",
                 "tcp://127.0.0.1:1": "the Docker engine at DOCKER_HOST=tcp://127.0.0.1:1 "
                 "does not answer: Connection refused",
                 "bogus://x": "DOCKER_HOST=bogus://x is not an address of a Docker engine "
                 "(Invalid bind address protocol: bogus://x)"}
        for host, line in cases.items():
            with self.subTest(host=host), tempfile.TemporaryDirectory() as tmp:
                status, stdout, stderr = run_main("--no-build", "a:1", "b:2", environ={
                    "DOCKER_HOST": host, "ASKELADDEN_STATE": tmp})
                self.assertEqual((status, stdout), (1, ""))
                self.assertEqual(stderr, f"compare-sizes.sh: error: {line}\n")

    def test_without_docker_host_the_local_socket_is_named_with_a_hint(self):
        error = RuntimeError("Error while fetching server API version")
        error.__cause__ = FileNotFoundError(2, "No such file or directory")
        self.assertEqual(engine.no_engine(None, error), "no Docker engine answers at "
                         "unix:///var/run/docker.sock: No such file or directory "
                         "(start one with: scripts/setup.sh docker)")

    def test_an_invalid_reference_is_bad_usage(self):
        status, stdout, stderr = run_main("Bad::Ref!!", "b:2")
        self.assertEqual((status, stdout), (2, ""))
        self.assertEqual(stderr, "compare-sizes.sh: 'Bad::Ref!!' is not an image reference "
                         "([HOST/]NAME[:TAG][@DIGEST], lowercase, or an image ID) "
                         "(see compare-sizes.sh --help)\n")
        for good in ("localhost:5000/a/b_c:1.0", "sha256:" + "0" * 64, "0123abcd", "gcc:12"):
            self.assertEqual(cli.parse([good, "b:2"]).images[0], good)
        for bad in ("UPPER:1", "a:b:c", "x:-tag", "a//b", ""):
            with self.assertRaises(UsageError, msg=bad):
                cli.parse([bad, "b:2"])

    def test_help_is_the_usage_block_and_lists_the_options(self):
        status, stdout, _ = run_main("-h", environ={"COMPARE_SIZES_USAGE": "ignored"})
        self.assertEqual(status, 0)
        self.assertTrue(stdout.startswith("Usage: compare-sizes.sh [options] [IMAGE_A IMAGE_B]\n\n"))
        self.assertIn("gzipped at level 6", stdout)
        for flag in ("--json", "--markdown", "--svg FILE", "--max-size IMAGE=SIZE", "--top N",
                     "--no-build", "-h, --help"):
            self.assertIn(flag, stdout)


def tiny_image(engine, name):
    layer = fixture.layer_tar({"f": b"x"})
    archive, image_id, diff_ids = fixture.save_archive([layer], [{"created_by": "COPY f /"}])
    engine.add(name, archive, image_id, diff_ids, [{"size": 1, "created_by": "COPY f /", "comment": ""}],
               size=1)


class Run(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.engine = fixture.FakeEngine()
        fixture.sample_image(self.engine, "fat:1")
        tiny_image(self.engine, "slim:1")
        self.environ = {"ASKELADDEN_STATE": self.tmp.name, "ASKELADDEN_ROOT": self.tmp.name}

    def tearDown(self):
        self.tmp.cleanup()

    def main(self, *argv, colour="", **environ):
        environ = {**self.environ, "TERM": "xterm", **environ}
        return run_main(*argv, "fat:1", "slim:1", environ=environ, make_engine=lambda: self.engine,
                        ttys=colour)

    def test_a_whole_report_from_a_stand_in_engine(self):
        status, stdout, stderr = self.main()
        self.assertEqual(status, 0, stderr)
        self.assertTrue(stdout.startswith("Sizes (uncompressed:"), stdout)
        self.assertIn("==> 4/4 floor", stderr)

    def test_colour_is_decided_per_stream(self):
        for colour, on_stdout, on_stderr in (("stdout", True, False), ("stderr", False, True),
                                             ("stdout stderr", True, True), ("", False, False)):
            with self.subTest(colour=colour):
                status, stdout, stderr = self.main(colour=colour)
                self.assertEqual(status, 0, stderr)
                self.assertEqual(stdout.startswith(COLOUR.bold + "Sizes" + COLOUR.reset), on_stdout)
                self.assertEqual("\033[" in stdout, on_stdout)
                self.assertEqual("\033[" in stderr, on_stderr)
                self.assertEqual(stderr.startswith(COLOUR.bold + "==>"), on_stderr)

    def test_no_colour_with_no_color_or_a_dumb_terminal(self):
        for environ in ({"NO_COLOR": "1"}, {"TERM": "dumb"}, {"TERM": ""}):
            with self.subTest(environ=environ):
                status, stdout, stderr = self.main(colour="stdout stderr", **environ)
                self.assertEqual(status, 0, stderr)
                self.assertNotIn("\033[", stdout + stderr)

    def test_json_and_markdown_carry_no_colour(self):
        for flag in ("--json", "--markdown"):
            status, stdout, _ = self.main(flag, colour="stdout stderr")
            self.assertEqual(status, 0)
            self.assertNotIn("\033[", stdout)

    def test_checked_before_any_work(self):
        made = []

        def make_engine():
            made.append(1)
            return self.engine
        cases = {("--max-size", "nosuch:img=80MB"): (2, "compare-sizes.sh: --max-size: nosuch:img "
                                                      "is not one of the images compared (fat:1, slim:1) "
                                                      "(see compare-sizes.sh --help)"),
                 ("--svg", self.tmp.name + "/no/such/dir/c.svg"): (1, "compare-sizes.sh: error: --svg "
                     + self.tmp.name + "/no/such/dir/c.svg: cannot write the chart there: "
                     "No such file or directory"),
                 ("--svg", self.tmp.name): (1, f"compare-sizes.sh: error: --svg {self.tmp.name}: "
                                               "cannot write the chart there: it is a directory")}
        for argv, (code, line) in cases.items():
            with self.subTest(argv=argv):
                status, stdout, stderr = run_main(*argv, "fat:1", "slim:1", environ=self.environ,
                                                  make_engine=make_engine)
                self.assertEqual((status, stdout, stderr), (code, "", line + "\n"))
        self.assertEqual((made, self.engine.saves), ([], 0))

    def test_a_writable_svg_path_gets_the_chart_and_no_leftover(self):
        path = os.path.join(self.tmp.name, "c.svg")
        status, _, stderr = self.main("--svg", path)
        self.assertEqual(status, 0, stderr)
        with open(path, encoding="utf-8") as f:
            self.assertTrue(f.read().startswith("<svg "))
        self.assertFalse(os.path.exists(path + ".tmp"))

    def test_the_json_says_which_budget_broke(self):
        status, stdout, stderr = self.main("--json", "--max-size", "fat:1=999B", "--max-size", "slim:1=1B")
        self.assertEqual(status, 1, stderr)
        self.assertEqual(json.loads(stdout)["budgets"], [
            size_budget("fat:1", 999, 1000, False), size_budget("slim:1", 1, 1, True)])
        status, stdout, _ = self.main("--json")
        self.assertEqual((status, json.loads(stdout)["budgets"]), (0, []))

    def test_help_lists_every_top_level_field_of_the_json(self):
        status, stdout, _ = self.main("--json")
        self.assertEqual(status, 0)
        keys = set(json.loads(stdout))
        self.assertEqual(keys, set(report.Report.__annotations__))
        self.assertEqual(keys, set(report.FIELDS))
        _, help_text, _ = run_main("--help")
        for key in keys:
            self.assertRegex(help_text, rf"\n  {key} +\S", key)

    def test_one_image_by_tag_and_by_id_is_said_to_be_one(self):
        image = self.engine.image("fat:1")
        environ = dict(self.environ)
        status, stdout, stderr = run_main("fat:1", image.id, environ=environ,
                                          make_engine=lambda: self.engine)
        self.assertEqual((status, stdout), (0, f"fat:1 and {image.id} are the same image "
                                               f"({image.id[7:19]}, 1.0 kB): nothing to compare\n"), stderr)
        self.assertEqual(self.engine.saves, 0)
        status, stdout, _ = run_main("--json", "--max-size", "fat:1=999", image.id, "fat:1",
                                     environ=environ, make_engine=lambda: self.engine)
        self.assertEqual(status, 1)
        self.assertEqual(json.loads(stdout), {
            "same_image": True, "names": [image.id, "fat:1"], "id": image.id, "size_bytes": 1000,
            "budgets": [size_budget("fat:1", 999, 1000, False)]})
        # Two images: the full report, as before.
        status, stdout, _ = run_main("fat:1", "slim:1", environ=environ, make_engine=lambda: self.engine)
        self.assertEqual(status, 0)
        self.assertNotIn("same image", stdout)

    @unittest.skipIf(docker is None, "python3-docker is not installed")
    def test_an_error_of_the_docker_sdk_is_one_line_and_exit_1(self):
        # Any of the SDK's errors, subclasses too: caught by type, not by the
        # name of the module that defined it.
        class Refused(docker.errors.DockerException):
            pass

        def refuse(name):
            raise Refused("the engine said no")

        self.engine.image = refuse
        status, stdout, stderr = self.main()
        self.assertEqual((status, stdout), (1, ""))
        self.assertEqual(stderr.splitlines()[-1], "compare-sizes.sh: error: the engine said no")
        self.assertEqual(sum("error" in line for line in stderr.splitlines()), 1)


class Budgets(unittest.TestCase):
    def test_split_at_the_last_equals_sign(self):
        self.assertEqual(budgets.parse("reg:5000/a=b=75MiB"), Budget("reg:5000/a=b", 75 * 2**20))
        with self.assertRaisesRegex(UsageError, "bad size ''"):
            budgets.parse("a==")
        for spec in ("=1", "a=", "a"):
            with self.assertRaisesRegex(UsageError, "wants IMAGE=SIZE"):
                budgets.parse(spec)

    def test_evaluate_and_say(self):
        sizes = {"a:1": figures(100), "b:1": figures(500)}
        self.assertEqual(budgets.evaluate([Budget("a:1", 100), Budget("b:1", 499)], sizes), [
            size_budget("a:1", 100, 100, True), size_budget("b:1", 499, 500, False)])
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertTrue(budgets.say(budgets.evaluate([Budget("a:1", 100), Budget("b:1", 500)], sizes)))
            self.assertFalse(budgets.say(budgets.evaluate([Budget("a:1", 99), Budget("b:1", 600)], sizes)))
        lines = err.getvalue().splitlines()
        self.assertIn("over budget: a:1 is 100 B (100 bytes), over its --max-size of 99 B (99 bytes)", lines[2])
        self.assertEqual(sum("over budget" in line for line in lines), 1)
        self.assertIn("b:1 is 500 B, within its budget of 600 B", lines[3])

    def test_a_budget_must_name_a_compared_image(self):
        self.assertEqual(cli.parse(["--max-size", "b:2=1MB", "a:1", "b:2"]).budgets, (Budget("b:2", 10**6),))
        with self.assertRaisesRegex(UsageError, r"^--max-size: nosuch:img is not one of the "
                                    r"images compared \(a:1, b:2\)$"):
            cli.parse(["--max-size", "nosuch:img=80MB", "a:1", "b:2"])


class BothStores(unittest.TestCase):
    """The same two images, saved as each of Docker's stores saves them: the
    same report, but for the store and what its docker images shows."""

    def report(self, store, *argv, blob_level=6):
        """The report; on the containerd store its blobs are gzipped at BLOB_LEVEL
        (by default as the estimate gzips, so that its sizes are the same)."""
        with tempfile.TemporaryDirectory() as tmp:
            engine = fixture.FakeEngine(store)
            containerd = store == "containerd"
            fat = fixture.sample_image(engine, "fat:1", containerd=containerd, blob_level=blob_level)
            slim = fixture.sample_image(engine, "slim:1", extra=b"s", containerd=containerd,
                                        blob_level=blob_level)
            if store == "containerd":   # content and snapshots: what its docker images shows
                engine.listed = {fat.id: 9000, slim.id: 9001}
                self.content = [fixture.content_bytes(engine.archives[i.id], i.id) for i in (fat, slim)]
            else:                       # the classic store's .Size: its layers' sizes
                for name, image in (("fat:1", fat), ("slim:1", slim)):
                    sized = image._replace(size=sum(h["size"] for h in engine.history(image.id)))
                    engine.images[name] = engine.images[image.id] = sized
            svg = os.path.join(tmp, "c.svg")
            status, stdout, stderr = run_main("--svg", svg, *argv, "--max-size", "slim:1=4600",
                                              "fat:1", "slim:1", environ={"ASKELADDEN_STATE": tmp,
                                                                          "ASKELADDEN_ROOT": tmp},
                                              make_engine=lambda: engine)
            self.assertEqual(status, 0, stderr)
            self.stderr = stderr
            with open(svg, encoding="utf-8") as f:
                return stdout, f.read()

    def test_the_same_report_on_both_stores(self):
        (classic, classic_svg), (ours, ours_svg) = (self.report(s, "--json") for s in ("overlay2", "containerd"))
        a, b = json.loads(classic), json.loads(ours)
        self.assertEqual((a.pop("store"), b.pop("store")), ("overlay2", "containerd"))
        self.assertEqual([i.pop("listed_bytes") for i in b["images"]], [9000, 9001])
        # The content the store holds: each blob of the image (its index's
        # manifest for this platform, its config, its layers), as saved.
        self.assertEqual([i.pop("content_bytes") for i in b["images"]], self.content)
        for i in a["images"]:
            i.pop("listed_bytes")
            self.assertIsNone(i.pop("content_bytes"))
        for r, source in ((a, "gzip"), (b, "content store")):
            for i in r["images"]:
                i.pop("id")     # the classic store's is the config's digest, containerd's the index's
                # Where the compressed sizes come from: the figures are the same.
                self.assertEqual(i.pop("compressed_by"), source)
                self.assertEqual([layer.pop("compressed_by") for layer in i["layers"]], [source] * 2)
        self.assertEqual(a, b)
        self.assertEqual(a["budgets"][0]["held"], True)
        self.assertEqual(classic_svg, ours_svg)

    def test_step_1_gives_inspects_size_only_on_the_classic_store(self):
        # The containerd store's inspect counts the content, compressed as pulled.
        self.report("overlay2")
        self.assertRegex(self.stderr, r"\n    fat:1: [0-9a-f]{12}, 4\.5 kB\n")
        self.report("containerd")
        self.assertRegex(self.stderr, r"\n    fat:1: [0-9a-f]{12}\n")

    def test_markdown_says_which_store(self):
        classic, _ = self.report("overlay2", "--markdown")
        ours, _ = self.report("containerd", "--markdown")
        self.assertIn("Uncompressed: the size `docker images` shows.", classic)
        self.assertRegex(ours, r"its docker images shows fat:1 9\.0 kB \(content 1\.[0-9] kB\), "
                               r"slim:1 9\.0 kB \(content 1\.[0-9] kB\)")
        self.assertIn("| layer of `fat:1` (oldest first) | uncompressed | compressed | compressed by |",
                      ours)
        # All but the compressed sizes' sources is the same.
        labelled = ours.replace(" (content store)", "").replace(" content store |", "")
        labelled = labelled.replace(" compressed by |", "").replace(" ---: | --- |", " ---: |")
        self.assertEqual(classic.split("\n")[3:], labelled.split("\n")[3:])

    def test_the_content_stores_blobs_are_its_compressed_sizes(self):
        estimated, _ = self.report("overlay2", "--json")
        exact, _ = self.report("containerd", "--json", blob_level=1)
        a, b = json.loads(estimated), json.loads(exact)
        for r in (a, b):
            for i in r["images"]:
                self.assertGreater(i["compressed_bytes"], 0)
        blobs = sum(len(gzip.compress(tar, 1, mtime=0)) for tar in fixture.sample_layers())
        self.assertEqual(b["images"][0]["compressed_bytes"], blobs)
        self.assertEqual(b["images"][0]["compressed_by"], "content store")
        self.assertNotEqual(a["images"][0]["compressed_bytes"], blobs)
        self.assertEqual([i["estimated_compressed_bytes"] for i in a["images"]],
                         [i["estimated_compressed_bytes"] for i in b["images"]])


class MoreBudgets(unittest.TestCase):
    """--max-compressed, --max-wasted and --max-growth, each on both sides of its limit."""

    def held(self, budget, figure=None, baseline=None):
        figure = figure or figures(100, compressed=40, wasted=10)
        [result] = budgets.evaluate([budget], {"a:1": figure}, baseline)
        return result["held"]

    def test_each_budget_checks_its_own_figure(self):
        for option, value in (("--max-size", 100), ("--max-compressed", 40), ("--max-wasted", 10)):
            with self.subTest(option=option):
                self.assertTrue(self.held(Budget("a:1", value, option)))
                self.assertFalse(self.held(Budget("a:1", value - 1, option)))

    def test_growth_in_bytes_and_in_percent_of_the_baseline(self):
        base = {"a:1": 80}                  # grown by 20 bytes, 25 %
        self.assertTrue(self.held(Budget("a:1", 20, "--max-growth"), baseline=base))
        self.assertFalse(self.held(Budget("a:1", 19, "--max-growth"), baseline=base))
        self.assertTrue(self.held(budgets.parse("a:1=25%", "--max-growth"), baseline=base))
        self.assertFalse(self.held(budgets.parse("a:1=24.9%", "--max-growth"), baseline=base))
        self.assertTrue(self.held(Budget("a:1", 0, "--max-growth"), baseline={"a:1": 120}))

    def test_a_blown_growth_budget_says_by_how_much_and_from_what(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            results = budgets.evaluate([budgets.parse("a:1=24%", "--max-growth")],
                                       {"a:1": figures(100)}, {"a:1": 80})
            self.assertFalse(budgets.say(results))
        self.assertEqual(results[0]["limit_bytes"], 19)
        self.assertEqual((results[0]["limit_percent"], results[0]["baseline_bytes"]), (24.0, 80))
        self.assertIn("over budget: a:1 grew by 20 B (20 bytes), over its --max-growth of 24% "
                      "of 80 B, 19 B (19 bytes)", err.getvalue())

    def test_a_percent_is_a_growth_budget_only(self):
        self.assertEqual(budgets.parse("a:1=10%", "--max-growth"), Budget("a:1", 0, "--max-growth", 10.0))
        self.assertEqual(budgets.parse("a:1=1MB", "--max-growth"), Budget("a:1", 10**6, "--max-growth"))
        with self.assertRaisesRegex(UsageError, "^--max-size: bad size '10%'"):
            budgets.parse("a:1=10%")
        with self.assertRaisesRegex(UsageError, "^--max-growth: bad size 'lots'"):
            budgets.parse("a:1=lots", "--max-growth")

    def test_the_baseline_is_read_and_checked_before_any_work(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "base.json")
            cases = {"": "not JSON", "[]": "not a compare-sizes --json report",
                     '{"images": [{"name": "a:1"}]}': "not a compare-sizes --json report"}
            for text, why in cases.items():
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
                with self.subTest(text=text), self.assertRaisesRegex(UsageError, why):
                    cli.parse(["--baseline", path, "--max-growth", "a:1=1%", "a:1", "b:1"])
            with open(path, "w", encoding="utf-8") as f:
                json.dump({"images": [{"name": "a:1", "size_bytes": 5}]}, f)
            o = cli.parse(["--baseline", path, "--max-growth", "a:1=1%", "a:1", "b:1"])
            self.assertEqual((o.baseline, o.budgets), ({"a:1": 5}, (Budget("a:1", 0, "--max-growth", 1.0),)))
            with self.assertRaisesRegex(UsageError, r"^--max-growth: b:1 is not in the baseline \(it has: a:1\)$"):
                cli.parse(["--baseline", path, "--max-growth", "b:1=1%", "a:1", "b:1"])
            with self.assertRaisesRegex(UsageError, "^--max-growth needs --baseline REPORT.json$"):
                cli.parse(["--max-growth", "a:1=1%", "a:1", "b:1"])
            with self.assertRaisesRegex(UsageError, "^--baseline .*/nosuch.json: No such file"):
                cli.parse(["--baseline", tmp + "/nosuch.json", "--max-growth", "a:1=1%", "a:1", "b:1"])
            with self.assertRaisesRegex(UsageError, "^--max-wasted: c:1 is not one of the images"):
                cli.parse(["--max-wasted", "c:1=1MB", "a:1", "b:1"])


class BudgetsOnTheReport(unittest.TestCase):
    """The budgets against a whole report of the stand-in engine
    (fat:1: 1000 bytes, 377 compressed, nothing wasted)."""
    setUp, tearDown, main = Run.setUp, Run.tearDown, Run.main

    def budget_results(self, *argv):
        status, stdout, stderr = self.main("--json", *argv)
        return status, json.loads(stdout)["budgets"] if stdout else stderr

    def test_compressed_and_wasted_from_the_report(self):
        status, results = self.budget_results("--max-compressed", "fat:1=377B", "--max-wasted", "fat:1=0")
        self.assertEqual(status, 0, results)
        self.assertEqual([(r["option"], r["size_bytes"]) for r in results],
                         [("--max-compressed", 377), ("--max-wasted", 0)])
        self.assertEqual(self.budget_results("--max-compressed", "fat:1=376B")[0], 1)

    def test_growth_against_a_report_saved_with_json(self):
        status, stdout, _ = self.main("--json")
        saved = json.loads(stdout)
        saved["images"][0]["size_bytes"] = 990          # fat:1 has grown by 10 bytes since
        path = os.path.join(self.tmp.name, "baseline.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(saved, f)
        for limit, held in (("10B", True), ("9B", False), ("1.02%", True), ("1%", False)):
            with self.subTest(limit=limit):
                status, [result] = self.budget_results("--baseline", path, "--max-growth", f"fat:1={limit}")
                self.assertEqual((status, result["held"], result["size_bytes"], result["baseline_bytes"]),
                                 (0 if held else 1, held, 10, 990))

    def test_one_image_twice_is_measured_once_for_a_compressed_budget(self):
        image = self.engine.image("fat:1")
        status, stdout, _ = run_main("--json", "--max-compressed", "fat:1=376", image.id, "fat:1",
                                     environ=self.environ, make_engine=lambda: self.engine)
        self.assertEqual(status, 1)
        self.assertEqual(json.loads(stdout)["budgets"][0]["size_bytes"], 377)
