#!/usr/bin/env python3
"""Checks the eviction issue's hit-ratio goals on every trace and size of the traces folder:
runs `cachet-sim --policy tinylfu` (the default policy, through a real KvStore) on each trace at
the sizes its README lists, and prints each cell that misses a goal (below Caffeine's published
figure where there is one, or more than 0.5 points below LRU), then a summary line.

    bench/eviction_goals.py [--sim build/release/bench/cachet-sim] [--traces ../shared/traces]
                            [--policy tinylfu] [--all]

--all prints every cell. Exit status 0 whether or not goals are met (it reports; it does not
judge). Takes a few seconds.
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys


def reference_rows(readme):
    """{trace: [(size, lru, caffeine or None, opt)]} from the README's reference tables."""
    rows, trace = {}, None
    for line in open(readme, encoding="utf-8"):
        if line.startswith("### ARC OLTP"):
            trace = "oltp"
        if not line.startswith("|") or "---" in line or "Size" in line or trace is None:
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 8:  # a table with a Trace column; blank means the trace above
            if cells[0]:
                trace = cells[0]
            cells = cells[1:]
        if len(cells) < 5 or not cells[0].replace(",", "").isdigit():
            continue
        size = int(cells[0].replace(",", ""))
        caffeine = float(cells[3]) if cells[3] else None
        rows.setdefault(trace, []).append((size, float(cells[2]), caffeine, float(cells[4])))
    return rows


def simulate(sim, policy, path, sizes):
    out = subprocess.run([sim, "--policy", policy, "--capacity", ",".join(map(str, sizes)),
                          "--csv", path], capture_output=True, text=True, check=True).stdout
    result = {}
    for line in out.splitlines():
        p = line.split(",")
        if len(p) >= 5 and p[1].isdigit():
            result[int(p[1])] = float(p[4])
    return result


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sim", default=os.path.join(here, "..", "build", "release", "bench", "cachet-sim"))
    ap.add_argument("--traces", default=os.path.join(here, "..", "..", "shared", "traces"))
    ap.add_argument("--policy", default="tinylfu")
    ap.add_argument("--all", action="store_true", help="print every cell, not only the misses")
    args = ap.parse_args()
    rows = reference_rows(os.path.join(args.traces, "README.md"))
    if not rows:
        sys.exit("no reference tables found in %s/README.md" % args.traces)
    jobs = {t: (os.path.join(args.traces, t + ".keys.gz"), [r[0] for r in rows[t]]) for t in rows}
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as ex:
        results = dict(zip(jobs, ex.map(lambda t: simulate(args.sim, args.policy, *jobs[t]), jobs)))
    print("%-14s %7s %7s %7s %9s %7s  %s" % ("trace", "size", "LRU", "OPT", "Caffeine", args.policy, "goal"))
    cells = misses = 0
    for t, refs in rows.items():
        for size, lru, caffeine, opt in refs:
            hit = results[t].get(size)
            if hit is None:
                print("%-14s %7d  no result" % (t, size))
                continue
            cells += 1
            why = []
            if caffeine is not None and hit < caffeine:
                why.append("%.2f below Caffeine" % (caffeine - hit))
            if hit < lru - 0.5:
                why.append("%.2f below LRU" % (lru - hit))
            misses += bool(why)
            if why or args.all:
                print("%-14s %7d %7.2f %7.2f %9s %7.2f  %s" % (
                    t, size, lru, opt, "%.2f" % caffeine if caffeine is not None else "",
                    hit, "; ".join(why) or "met"))
    print("%d of %d trace x size cells miss a goal" % (misses, cells))


if __name__ == "__main__":
    main()
