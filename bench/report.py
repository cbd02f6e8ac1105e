#!/usr/bin/env python3
"""Summarise Google Benchmark JSON output: median items/s per benchmark, and ratios.

Usage:
    ./kv_store_bench --benchmark_repetitions=9 --benchmark_enable_random_interleaving=true \\
        --benchmark_report_aggregates_only=true --benchmark_out=kv.json --benchmark_out_format=json
    python3 bench/report.py kv.json [more.json ...] [--cachet REGEX] [--metric items_per_second]

Benchmark names follow `WORKLOAD<Adapter<args>>/options`, e.g. `BM_get_hit<CachetKv<u64>>/threads:2`
or `BM_schedule_cancel<Multimap>`. Rows whose name differs only in the adapter form one group
(the adapter replaced by `*`; /min_time, /real_time, /repeats and /iterations options are
ignored). Prints three tables:
  1. median of the metric per group and adapter (with the coefficient of variation when the
     run had repetitions);
  2. ratio of each cachet adapter (name matching --cachet, default ^Cachet) to each other
     adapter in the same group (> 1: cachet is faster);
  3. for groups with /threads:N, each adapter's figure at N threads over its own 1-thread figure.
The median comes from the `median` aggregate when present (--benchmark_repetitions), otherwise
from the median of the individual runs. Standard library only.
"""

import argparse
import json
import re
import statistics
import sys
from collections import OrderedDict, defaultdict

NAME_RE = re.compile(r"^(?P<workload>[^<>/]+)<(?P<adapter>\w+)(?:<(?P<args>[^<>]*)>)?>(?P<rest>.*)$")
IGNORED_OPTS = re.compile(r"^(min_time|min_warmup_time|real_time|manual_time|repeats|iterations)\b")
THREADS_RE = re.compile(r"/threads:(\d+)")


def parse_name(run_name):
    """(group, adapter) for a benchmark run name, or None if it does not follow the scheme."""
    m = NAME_RE.match(run_name)
    if not m:
        return None
    opts = [o for o in m.group("rest").split("/") if o and not IGNORED_OPTS.match(o)]
    inner = "*" if m.group("args") is None else "*<%s>" % m.group("args")
    group = "%s<%s>%s" % (m.group("workload"), inner, "".join("/" + o for o in opts))
    return group, m.group("adapter")


def load(paths, metric):
    """{group: {adapter: (median, cv or None)}}, keeping first-seen order."""
    medians, cvs, singles = {}, {}, defaultdict(list)
    order = []
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        for b in data.get("benchmarks", []):
            if b.get("error_occurred"):
                print("warning: %s: %s" % (b.get("name"), b.get("error_message")), file=sys.stderr)
                continue
            run_name = b.get("run_name", b.get("name", ""))
            if metric not in b:
                continue
            key = run_name
            if key not in order:
                order.append(key)
            if b.get("run_type") == "aggregate":
                agg = b.get("aggregate_name")
                if agg == "median":
                    medians[key] = b[metric]
                elif agg == "cv":
                    cvs[key] = b[metric]
            else:
                singles[key].append(b[metric])
    table = OrderedDict()
    for key in order:
        parsed = parse_name(key)
        if parsed is None:
            print("warning: skipping %r (not WORKLOAD<Adapter<args>>/...)" % key, file=sys.stderr)
            continue
        if key in medians:
            value = medians[key]
        elif singles.get(key):
            value = statistics.median(singles[key])
        else:
            continue
        cv = cvs.get(key)
        if cv is None and len(singles.get(key, [])) > 1:
            s = singles[key]
            cv = statistics.stdev(s) / statistics.mean(s)
        group, adapter = parsed
        table.setdefault(group, OrderedDict())[adapter] = (value, cv)
    return table


def natural_key(s):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


def si(x):
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return "%.3g%s" % (x / div, suffix)
    return "%.3g" % x


def print_table(title, header, rows):
    if not rows:
        return
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    print(title)
    line = lambda r: "  ".join(
        str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("json", nargs="+", help="Google Benchmark JSON output file(s)")
    ap.add_argument("--cachet", default=r"^Cachet", help="regex for cachet's adapter names")
    ap.add_argument("--metric", default="items_per_second", help="higher-is-better field")
    args = ap.parse_args()

    table = load(args.json, args.metric)
    if not table:
        sys.exit("no benchmarks named WORKLOAD<Adapter...> with %s found" % args.metric)
    # Random interleaving shuffles the output, so order groups and adapters by name.
    table = OrderedDict((g, table[g]) for g in sorted(table, key=natural_key))
    is_cachet = re.compile(args.cachet).search
    names = sorted({a for g in table.values() for a in g})
    cachet = [a for a in names if is_cachet(a)]
    others = [a for a in names if not is_cachet(a)]
    adapters = cachet + others

    def cell(g, a):
        if a not in table[g]:
            return "-"
        v, cv = table[g][a]
        return si(v) if cv is None else "%s ±%.0f%%" % (si(v), 100 * cv)

    print_table("Median %s (± coefficient of variation)" % args.metric,
                ["benchmark"] + adapters,
                [[g] + [cell(g, a) for a in adapters] for g in table])

    pairs = [(c, o) for c in cachet for o in others]
    pairs += [(c, d) for i, c in enumerate(cachet) for d in cachet[i + 1:]]
    rows = []
    for g, row in table.items():
        cells = []
        for c, o in pairs:
            cells.append("%.2f" % (row[c][0] / row[o][0]) if c in row and o in row and row[o][0] else "-")
        if any(x != "-" for x in cells):
            rows.append([g] + cells)
    print_table("Ratio of medians (cachet / other; > 1 means cachet is faster)",
                ["benchmark"] + ["%s/%s" % p for p in pairs], rows)

    rows = []
    for g, row in table.items():
        m = THREADS_RE.search(g)
        if not m or m.group(1) == "1":
            continue
        base = THREADS_RE.sub("/threads:1", g)
        if base not in table:
            continue
        rows.append([g] + ["%.2f" % (row[a][0] / table[base][a][0])
                           if a in row and a in table[base] and table[base][a][0] else "-"
                           for a in adapters])
    print_table("Thread scaling (N threads / 1 thread, same adapter)", ["benchmark"] + adapters, rows)


if __name__ == "__main__":
    main()
