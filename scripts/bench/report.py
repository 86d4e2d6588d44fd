"""bench report: the benchmark's figures as the table people read, or as JSON.

scripts/bench.sh leaves its measurements in a work directory, a file a step:
  results       a line a throughput run: config workload server round
                requests/s cpu_us p50_us p99_us errors peak_kb idle_kb
  instructions  a line a server: server instructions_a_request
  idle          a line a server: server rss_before_kb rss_with_kb reply_ms
  top.ours      a line a function: instructions_a_request share function [object]

Usage: /usr/bin/python3 scripts/bench/report.py [--json] [--bold] --rounds N
       --duration S --cpus N --load L --callgrind-requests N
       --idle-connections N --nginx VERSION --go VERSION --host TEXT WORKDIR
"""

import argparse
import datetime
import json
import statistics
import sys
from pathlib import Path

SERVERS = ("ours", "nginx", "go")
# The ratio rows: ours over another server, taken within each round.
RATIOS = {"ratio": "nginx", "ratio_go": "go"}
ROWS = SERVERS + tuple(RATIOS)
FIGURES = ("requests_per_s", "cpu_us_per_request", "p50_us", "p99_us", "errors",
           "peak_rss_kb", "idle_rss_kb")
CPU_US = FIGURES.index("cpu_us_per_request")

TABLE_ROW = "%-9s %-14s %-10s %8s %7s %8s %8s %6s %8s %8s"
TABLE_HEAD = ("config", "workload", "server", "req/s", "CPU us", "p50", "p99", "errors",
              "peak kB", "idle kB")
ROW_LABELS = {"ratio": "ours/nginx", "ratio_go": "ours/go"}


def read_runs(lines):
    """{(config, workload): {server: {round: figures}}}, in the order they ran."""
    runs = {}
    for line in lines:
        fields = line.split()
        if not fields:
            continue
        config, workload, server, round_ = fields[:4]
        figures = [float(f) for f in fields[4:4 + len(FIGURES)]]
        runs.setdefault((config, workload), {}).setdefault(server, {})[round_] = figures
    return runs


def median_text(values, fmt):
    return fmt % statistics.median(values) if values else "-"


def summary_row(by_server, row):
    """The seven figures of a row, formatted: medians over the rounds."""
    texts = []
    for column in range(len(FIGURES)):
        if row in RATIOS:
            ours, other = by_server.get("ours", {}), by_server.get(RATIOS[row], {})
            values = [ours[r][column] / f[column] for r, f in other.items() if f[column] > 0]
            texts.append(median_text(values, "%.2f"))
        else:
            values = [f[column] for f in by_server.get(row, {}).values()]
            texts.append(median_text(values, "%.1f" if column == CPU_US else "%.0f"))
    return texts


def summarize(runs):
    """Per config and workload, in the order they ran: the medians of each
    server, then the medians of the ratios ours/nginx and ours/go within a
    round ("-" where the other's figure is 0). A list of (config, workload,
    {row: figures as text})."""
    return [(config, workload, {row: summary_row(by_server, row) for row in ROWS})
            for (config, workload), by_server in runs.items()]


def read_pairs(lines):
    """{first field: the other fields} of lines of whitespace-separated fields."""
    return {f[0]: f[1:] for f in (line.split() for line in lines) if f}


def read_top(lines):
    """(instructions, share, function, object) a line; object may be empty."""
    top = []
    for line in lines:
        fields = line.split()
        if fields:
            top.append((int(fields[0]), fields[1], fields[2], fields[3] if len(fields) > 3 else ""))
    return top


def bytes_per_connection(before_kb, with_kb, connections):
    return (int(with_kb) - int(before_kb)) * 1024 // connections


def workload_label(workload):
    if workload.startswith("close:"):
        return "close/" + workload[len("close:"):]
    return "keepalive/" + workload


def table_rows(summary):
    lines = []
    for config, workload, rows in summary:
        first = True
        for row in ROWS:
            names = (config, workload_label(workload)) if first else ("", "")
            lines.append(TABLE_ROW % (*names, ROW_LABELS.get(row, row), *rows[row]))
            first = False
    return lines


def render_table(run, summary, instructions, idle, top, bold=False):
    b, r = ("\033[1m", "\033[0m") if bold else ("", "")
    ours, nginx = int(instructions["ours"][0]), int(instructions["nginx"][0])
    ratio = "%.2f" % (ours / nginx) if nginx > 0 else "-"
    count = run["idle_connections"]
    out = [
        "%sAskeladden vs nginx %s and Go %s net/http, %s (%s)%s"
        % (b, run["nginx"], run["go"], run["date"][:10], run["host"], r),
        "medians of %d rounds of %d s; CPU us: the server's CPU time a request; latency in"
        % (run["rounds"], run["duration"]),
        "microseconds; nginx RSS and CPU: its workers; "
        "ours/nginx, ours/go: the median of the ratios within a round.",
        "Load average at start: %s" % run["load"],
        "",
        b + TABLE_ROW % TABLE_HEAD + r,
        *table_rows(summary),
        "",
        "%sinstructions a request (callgrind, one loop, %d requests)%s"
        % (b, run["callgrind_requests"], r),
        "ours %d, nginx %d, ratio %s" % (ours, nginx, ratio),
        "",
        "%smemory with %d idle keep-alive connections (one loop; nginx clears its whole" % (b, count),
        "connection table at start, so its RSS is paid before the first connection)" + r,
    ]
    for server in SERVERS:
        before, with_, reply_ms = idle[server]
        out.append("%-6s RSS %6d kB -> %6d kB, %5d bytes a connection; a new request answered in %s ms"
                   % (server, int(before), int(with_), bytes_per_connection(before, with_, count),
                      reply_ms))
    out += ["", "%stop functions, ours (instructions a request, share of the total; "
            "build/bench/callgrind.ours)%s" % (b, r)]
    out += ["%7d %8s  %s %s" % function for function in top]
    return "\n".join(out) + "\n"


def whole(value):
    """A number as JSON has it: an integer when it is whole."""
    return int(value) if float(value).is_integer() else value


def number(text):
    """A figure of the summary for JSON; null for "-"."""
    return None if text == "-" else whole(float(text))


def throughput_json(summary):
    entries = []
    for config, workload, rows in summary:
        entry = {"config": config,
                 "workload": "close" if workload.startswith("close:") else "keepalive",
                 "connections": number(workload[len("close:"):] if workload.startswith("close:")
                                       else workload)}
        for row in ROWS:
            entry[row] = dict(zip(FIGURES, map(number, rows[row])))
        entries.append(entry)
    return entries


def idle_json(idle, count):
    servers = {}
    for server in SERVERS:
        before, with_, reply_ms = idle[server]
        servers[server] = {"rss_before_kb": int(before), "rss_with_kb": int(with_),
                           "bytes_per_connection": bytes_per_connection(before, with_, count),
                           "reply_ms": number(reply_ms)}
    return {"count": count, **servers}


def render_json(run, summary, instructions, idle, top):
    ours, nginx = int(instructions["ours"][0]), int(instructions["nginx"][0])
    document = {
        "date": run["date"], "cpus": run["cpus"], "load_average": number(run["load"]),
        "rounds": run["rounds"], "duration_s": run["duration"], "nginx": run["nginx"],
        "go": run["go"],
        "throughput": throughput_json(summary),
        "instructions_per_request": {"requests": run["callgrind_requests"], "ours": ours,
                                     "nginx": nginx,
                                     "ratio": whole(ours / nginx) if nginx > 0 else None},
        "idle_connections": idle_json(idle, run["idle_connections"]),
        "top_functions_ours": [{"instructions_per_request": ir, "share": share,
                                "function": function, "object": obj}
                               for ir, share, function, obj in top],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def parse_args(argv):
    parser = argparse.ArgumentParser(description="The bench report, from a work directory.")
    parser.add_argument("--json", action="store_true", help="JSON instead of the table")
    parser.add_argument("--bold", action="store_true", help="bold titles (a terminal)")
    for name in ("rounds", "duration", "cpus", "callgrind-requests", "idle-connections"):
        parser.add_argument("--" + name, type=int, required=True)
    for name in ("load", "nginx", "go", "host"):
        parser.add_argument("--" + name, required=True)
    parser.add_argument("workdir", type=Path)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    run = dict(vars(args), date=datetime.datetime.now(datetime.timezone.utc)
               .strftime("%Y-%m-%dT%H:%M:%SZ"))

    def lines(name):
        return (args.workdir / name).read_text().splitlines()

    summary = summarize(read_runs(lines("results")))
    measured = (read_pairs(lines("instructions")), read_pairs(lines("idle")), read_top(lines("top.ours")))
    if args.json:
        sys.stdout.write(render_json(run, summary, *measured))
    else:
        sys.stdout.write(render_table(run, summary, *measured, bold=args.bold))


if __name__ == "__main__":
    main()
