#!/usr/bin/env python3
"""Checks that a Hive-style dataset written by `tokentally ... -o DIR --partition-by COLUMN`
loads in DuckDB as one table equal to the single-file output of the same run.

Usage:  python3 Tests/Oracles/check-hive-dataset.py DIR SINGLE.csv

Reads DIR/*/*.csv with hive_partitioning=true, puts the columns in the single file's order
(DuckDB appends partition columns at the end), and compares every row, ordered, with
SINGLE.csv. Values are compared as text (all_varchar, no hive type autocast), so a partition
value must read back exactly as the single file's cell: DuckDB decodes the %XX escapes of a
directory name and reads __HIVE_DEFAULT_PARTITION__ as NULL, as it reads an empty CSV cell.
Then it checks that DuckDB's own types agree too: a `day`/`week`/`month` partition reads as
DATE, as the column does in the single file.

Exit status: 0 equal; 1 different (the differences are printed); 3 duckdb is not installed.
Called by Tests/TallyCommandTests/PartitionCLITests.swift.
"""
import sys

try:
    import duckdb
except ImportError:
    print("duckdb is not installed (pip install duckdb)", file=sys.stderr)
    sys.exit(3)


def main():
    directory, single = sys.argv[1], sys.argv[2]
    con = duckdb.connect()
    header = con.sql(f"SELECT * FROM read_csv('{single}', all_varchar=true, header=true) LIMIT 0").columns
    columns = ", ".join(f'"{name}"' for name in header)
    order = ", ".join(f'"{name}" NULLS FIRST' for name in header)
    expected = con.sql(
        f"SELECT {columns} FROM read_csv('{single}', all_varchar=true, header=true) ORDER BY {order}").fetchall()
    dataset = (f"read_csv('{directory}/*/*.csv', hive_partitioning=true, hive_types_autocast=false, "
               f"all_varchar=true, header=true, union_by_name=true)")
    got = con.sql(f"SELECT {columns} FROM {dataset} ORDER BY {order}").fetchall()
    if got != expected:
        print(f"the dataset ({len(got)} rows) differs from the single file ({len(expected)} rows)")
        for row in got:
            if row not in expected:
                print("  only in the dataset:", row)
        for row in expected:
            if row not in got:
                print("  only in the single file:", row)
        sys.exit(1)
    typed = con.sql(f"SELECT * FROM read_csv('{directory}/*/*.csv', hive_partitioning=true) LIMIT 0")
    single_typed = con.sql(f"SELECT * FROM read_csv('{single}') LIMIT 0")
    types = dict(zip(typed.columns, map(str, typed.types)))
    for name, kind in zip(single_typed.columns, map(str, single_typed.types)):
        if name in ("day", "week", "month") and types.get(name) != kind:
            print(f"column {name}: {types.get(name)} in the dataset, {kind} in the single file")
            sys.exit(1)
    print(f"equal: {len(got)} rows")


main()
