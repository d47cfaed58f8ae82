#!/usr/bin/env python3
"""Runs Benchmarks/duckdb-summary.sql (tokentally's default summary in DuckDB) on log files.

    python3 Benchmarks/duckdb-summary.py [--threads N] -o OUT.csv FILE...

Needs the duckdb module (`pip install duckdb`). Writes the CSV that tokentally would write
for `tokentally summarize FILE... --by day,model`.
"""

import argparse
import os

import duckdb


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()

    sql = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "duckdb-summary.sql")).read()
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    con.execute("SET VARIABLE files = ?", [[os.path.abspath(f) for f in args.files]])
    con.execute(sql)
    output = os.path.abspath(args.output).replace("'", "''")
    con.execute(f"COPY (FROM summary) TO '{output}' (HEADER, DELIMITER ',')")


if __name__ == "__main__":
    main()
