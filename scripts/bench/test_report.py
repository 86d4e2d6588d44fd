"""Unit tests of the bench report: medians, ratios, the table and the JSON.

Run: /usr/bin/python3 scripts/bench/test_report.py (prints "bench-report: N
passed, N failed" last, for tests/run.sh).
"""

import contextlib
import io
import json
import sys
import tempfile
import unittest
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import report  # noqa: E402


def run_line(config, workload, server, round_, rps, cpu_us=10.0, peak_kb=3000):
    return f"{config} {workload} {server} {round_} {rps} {cpu_us} 100 900 0 {peak_kb} 2000"


# Three rounds where the median of ours/nginx within a round (3.00) is not
# the ratio of the medians (1000 / 400 = 2.50).
RESULTS = [
    run_line("1-core", "50", "ours", 1, 1000), run_line("1-core", "50", "nginx", 1, 500),
    run_line("1-core", "50", "go", 1, 250, peak_kb=0),
    run_line("1-core", "50", "ours", 2, 900), run_line("1-core", "50", "nginx", 2, 300),
    run_line("1-core", "50", "go", 2, 300, peak_kb=0),
    run_line("1-core", "50", "ours", 3, 1200), run_line("1-core", "50", "nginx", 3, 400),
    run_line("1-core", "50", "go", 3, 400, peak_kb=0),
    run_line("1-core", "close:200", "ours", 1, 80.5), run_line("1-core", "close:200", "nginx", 1, 90),
    run_line("1-core", "close:200", "go", 1, 70),
]
RUN = {"nginx": "1.22.1", "go": "1.19.8", "date": "2026-11-28T10:00:00Z", "host": "6.1, 2 CPUs, x",
       "rounds": 3, "duration": 5, "load": "0.40", "cpus": 2, "callgrind_requests": 20000,
       "idle_connections": 10000}
INSTRUCTIONS = {"ours": ["26824"], "nginx": ["7262"]}
IDLE = {"ours": ["2132", "22900", "0.80"], "nginx": ["8200", "13600", "0.52"],
        "go": ["5500", "156900", "0.61"]}
TOP = report.read_top(["2376 8.86% _int_free libc.so.6", "941 3.51% main "])


def summary():
    return report.summarize(report.read_runs(RESULTS))


class SummaryTest(unittest.TestCase):
    def test_groups_keep_the_order_they_ran_in(self):
        self.assertEqual([(c, w) for c, w, _ in summary()], [("1-core", "50"), ("1-core", "close:200")])

    def test_a_server_row_holds_the_medians_over_the_rounds(self):
        rows = summary()[0][2]
        self.assertEqual(rows["ours"], ["1000", "10.0", "100", "900", "0", "3000", "2000"])
        self.assertEqual(rows["nginx"][0], "400")

    def test_an_even_number_of_rounds_takes_the_mean_of_the_middle_two(self):
        runs = report.read_runs(RESULTS[:6])
        self.assertEqual(report.summarize(runs)[0][2]["ours"][0], "950")

    def test_a_ratio_is_the_median_of_the_ratios_within_a_round(self):
        self.assertEqual(summary()[0][2]["ratio"][0], "3.00")
        self.assertEqual(summary()[0][2]["ratio_go"][0], "3.00")
        self.assertEqual(summary()[0][2]["ratio"][1], "1.00")

    def test_a_ratio_over_zero_is_a_dash(self):
        self.assertEqual(summary()[0][2]["ratio_go"][5], "-")


class TableTest(unittest.TestCase):
    def table(self, bold=False):
        return report.render_table(RUN, summary(), INSTRUCTIONS, IDLE, TOP, bold=bold).splitlines()

    def test_the_rows_of_a_workload_name_it_once(self):
        lines = self.table()
        start = lines.index(report.TABLE_ROW % report.TABLE_HEAD) + 1
        self.assertEqual(lines[start], "1-core    keepalive/50   ours           1000    10.0      100"
                                       "      900      0     3000     2000")
        self.assertEqual(lines[start + 3][:36], " " * 25 + "ours/nginx ")
        self.assertEqual(lines[start + 5][:25], "1-core    close/200      ")

    def test_the_other_figures_follow_the_throughput_table(self):
        lines = self.table()
        self.assertIn("ours 26824, nginx 7262, ratio 3.69", lines)
        self.assertIn("ours   RSS   2132 kB ->  22900 kB,  2126 bytes a connection; "
                      "a new request answered in 0.80 ms", lines)
        self.assertEqual(lines[-2:], ["   2376    8.86%  _int_free libc.so.6", "    941    3.51%  main "])

    def test_bold_only_when_asked(self):
        self.assertNotIn("\033[1m", "".join(self.table()))
        self.assertTrue(self.table(bold=True)[0].startswith("\033[1mAskeladden vs nginx 1.22.1"))


class JsonTest(unittest.TestCase):
    def document(self):
        return json.loads(report.render_json(RUN, summary(), INSTRUCTIONS, IDLE, TOP))

    def test_a_throughput_entry_has_every_row_and_null_for_a_dash(self):
        entry = self.document()["throughput"][1]
        self.assertEqual((entry["config"], entry["workload"], entry["connections"]),
                         ("1-core", "close", 200))
        self.assertEqual(list(entry), ["config", "workload", "connections", *report.ROWS])
        self.assertEqual(entry["ours"]["requests_per_s"], 80)
        self.assertIsNone(self.document()["throughput"][0]["ratio_go"]["peak_rss_kb"])

    def test_the_run_instructions_idle_and_top_functions(self):
        doc = self.document()
        self.assertEqual((doc["load_average"], doc["cpus"], doc["duration_s"]), (0.4, 2, 5))
        self.assertAlmostEqual(doc["instructions_per_request"]["ratio"], 26824 / 7262)
        self.assertEqual(doc["idle_connections"]["go"],
                         {"rss_before_kb": 5500, "rss_with_kb": 156900,
                          "bytes_per_connection": 15503, "reply_ms": 0.61})
        self.assertEqual(doc["top_functions_ours"][1],
                         {"instructions_per_request": 941, "share": "3.51%", "function": "main",
                          "object": ""})


class MainTest(unittest.TestCase):
    def test_it_reads_the_work_directory(self):
        with tempfile.TemporaryDirectory() as work:
            files = {"results": RESULTS, "instructions": ["ours 26824", "nginx 7262"],
                     "idle": ["ours 2132 22900 0.80", "nginx 8200 13600 0.52", "go 5500 156900 0.61"],
                     "top.ours": ["2376 8.86% _int_free libc.so.6"]}
            for name, lines in files.items():
                Path(work, name).write_text("\n".join(lines) + "\n")
            args = ["--rounds", "3", "--duration", "5", "--cpus", "2", "--load", "0.40",
                    "--callgrind-requests", "20000", "--idle-connections", "10000",
                    "--nginx", "1.22.1", "--go", "1.19.8", "--host", "h", "--json", work]
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                report.main(args)
        self.assertEqual(json.loads(out.getvalue())["throughput"][0]["ours"]["requests_per_s"], 1000)


if __name__ == "__main__":
    result = unittest.main(exit=False).result
    failed = len(result.failures) + len(result.errors)
    print(f"bench-report: {result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
