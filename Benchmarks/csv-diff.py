#!/usr/bin/env python3
"""Compares two tokentally-style summary CSVs by value, and says how they differ.

    python3 Benchmarks/csv-diff.py EXPECTED.csv ACTUAL.csv [--times N] [--cost-tolerance REL]

Rows are matched by their group columns (every column before `requests`); numbers are
compared as exact decimals, so `1.50` equals `1.5`. With --times N, ACTUAL must hold N times
every measure of EXPECTED (the same logs read N times). With --cost-tolerance, cost_usd may
differ by that relative amount (for peers that sum in floating point, like jq). Exit status 0
when equal, 1 otherwise.
"""

import argparse
import csv
import sys
from decimal import Decimal


def read(path):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    groups = header.index("requests")
    table = {}
    for row in body:
        key = tuple(row[:groups])
        if key in table:
            raise SystemExit(f"{path}: group {key} appears twice")
        table[key] = row[groups:]
    return header, groups, table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("expected")
    parser.add_argument("actual")
    parser.add_argument("--times", type=int, default=1)
    parser.add_argument("--cost-tolerance", type=Decimal, default=Decimal(0))
    args = parser.parse_args()

    header_a, groups, expected = read(args.expected)
    header_b, _, actual = read(args.actual)
    problems = []
    if header_a != header_b:
        problems.append(f"headers differ: {header_a} vs {header_b}")
    for key in sorted(expected.keys() - actual.keys())[:5]:
        problems.append(f"only in {args.expected}: {key}")
    for key in sorted(actual.keys() - expected.keys())[:5]:
        problems.append(f"only in {args.actual}: {key}")
    measures = header_a[groups:]
    for key in sorted(expected.keys() & actual.keys()):
        for name, a, b in zip(measures, expected[key], actual[key]):
            if a == "" or b == "":
                if a != b:
                    problems.append(f"{key} {name}: {a!r} vs {b!r}")
                continue
            want, got = Decimal(a) * args.times, Decimal(b)
            if name == "cost_usd" and args.cost_tolerance:
                ok = abs(want - got) <= args.cost_tolerance * max(abs(want), Decimal(1))
            else:
                ok = want == got
            if not ok:
                problems.append(f"{key} {name}: expected {want}, got {got}")
    if problems:
        print(f"{args.expected} vs {args.actual}: {len(problems)}+ differences", file=sys.stderr)
        for problem in problems[:10]:
            print("  " + problem, file=sys.stderr)
        sys.exit(1)
    print(f"equal: {len(expected)} rows" + (f" (×{args.times})" if args.times != 1 else ""))


if __name__ == "__main__":
    main()
