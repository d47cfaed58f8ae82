#!/usr/bin/env python3
"""Loads tokentally's outputs of samples/ with DuckDB and checks the types it infers and the
values it reads (issue 6: "tests load every format with DuckDB and check the inferred types").

For several --by choices, it writes the summary as csv, tsv, jsonl and csv --csv-dialect
excel-eu, reads each with DuckDB the way docs/bi.md shows, and checks:

- the types DuckDB infers, from the datatypes the CSVW sidecar declares: date -> DATE,
  datetime (hour) -> TIMESTAMP, integer -> BIGINT, decimal -> BIGINT when every value is whole,
  else DOUBLE or DECIMAL, string -> VARCHAR;
- that the sidecar's columns are the CSV header;
- that every value equals the CSV's (a DOUBLE to 1e-12 relative; empty cell = NULL).

    python3 Tests/Oracles/duckdb_types.py --tokentally .build/debug/tokentally --samples samples --scratch /tmp/x

Exit 0: all good. Exit 1: a mismatch (printed). Exit 3: duckdb cannot be imported.
"""

import argparse
import csv
import datetime
import decimal
import json
import os
import subprocess
import sys

try:
    import duckdb
except ImportError:
    print("duckdb_types: python3 cannot import duckdb (pip install duckdb)", file=sys.stderr)
    sys.exit(3)

GROUPINGS = [
    ["--by", "day,model"],
    ["--by", "hour,key"],
    ["--by", "week,provider,user"],
    ["--by", "month,model,status"],
    ["--by", "day,team", "--field", "team=/metadata/user_api_key_team_id"],
    ["--by", "day,model", "--stats"],
]

# How docs/bi.md tells DuckDB to read each format.
READERS = {
    "csv": "read_csv('{path}')",
    "tsv": "read_csv('{path}', delim = '\\t', quote = '')",
    # JSON readers detect dates, but take a timestamp only with seconds: name the hour's form.
    "jsonl": "read_json('{path}', format = 'newline_delimited', timestampformat = '%Y-%m-%d %H:%M')",
    "excel-eu": "read_csv('{path}', delim = ';', decimal_separator = ',')",
}

failures = []


def fail(message):
    failures.append(message)
    if len(failures) <= 20:
        print("FAIL: " + message, file=sys.stderr)


def run(tokentally, samples, arguments, output):
    command = [tokentally, "summarize", samples, "--max-bad-lines", "3", "-q", "-o", output] + arguments
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit("duckdb_types: %s exited %d: %s" % (" ".join(command), result.returncode, result.stderr))


def expected_type(datatype, values):
    if isinstance(datatype, dict):
        datatype = datatype["base"]
    if datatype == "date":
        return {"DATE"}
    if datatype == "datetime":
        return {"TIMESTAMP"}
    if datatype == "string":
        return {"VARCHAR"}
    if datatype == "integer":
        return {"BIGINT"}
    # decimal: whole numbers unless a log carried a fraction.
    if all("." not in v for v in values if v != ""):
        return {"BIGINT"}
    return {"DOUBLE", "DECIMAL"}


def same(value, cell, datatype, column):
    if cell == "":
        return value is None
    if isinstance(datatype, dict):
        datatype = datatype["base"]
    if datatype == "date":
        return isinstance(value, datetime.date) and value.isoformat() == cell
    if datatype == "datetime":
        return isinstance(value, datetime.datetime) and value.strftime("%Y-%m-%d %H:%M") == cell
    if datatype == "string":
        return value == cell
    exact = decimal.Decimal(cell)
    if isinstance(value, int) or isinstance(value, decimal.Decimal):
        return decimal.Decimal(value) == exact
    if isinstance(value, float):
        return abs(decimal.Decimal(value) - exact) <= abs(exact) * decimal.Decimal("1e-12")
    return False


def check(connection, name, reader, header, rows, datatypes):
    where = "%s (%s)" % (name, reader)
    described = connection.sql("DESCRIBE SELECT * FROM " + reader).fetchall()
    names = [column[0] for column in described]
    if names != header:
        fail("%s: columns %s, expected %s" % (where, names, header))
        return
    for index, (column, duck_type, *_rest) in enumerate(described):
        values = [row[index] for row in rows]
        allowed = expected_type(datatypes[index], values)
        base = duck_type.split("(")[0]
        if base not in allowed:
            fail("%s: %s is %s, expected %s" % (where, column, duck_type, " or ".join(sorted(allowed))))
    loaded = connection.sql("SELECT * FROM %s" % reader).fetchall()
    if len(loaded) != len(rows):
        fail("%s: %d rows, expected %d" % (where, len(loaded), len(rows)))
        return
    for number, (got, cells) in enumerate(zip(loaded, rows)):
        for index, (value, cell) in enumerate(zip(got, cells)):
            if not same(value, cell, datatypes[index], header[index]):
                fail("%s: row %d, %s: DuckDB read %r, the CSV holds %r" % (where, number + 1, header[index], value, cell))


def check_partitions(connection, scratch):
    """docs/bi.md's partitioned dataset: DIR/day=YYYY-MM-DD/part-0.csv without the day column,
    read with hive_partitioning, gives day as DATE and the unpartitioned file's values. Built
    here from the unpartitioned CSV (summary-0 is --by day,model)."""
    with open(os.path.join(scratch, "summary-0.csv"), newline="", encoding="utf-8") as file:
        table = list(csv.reader(file))
    header, rows = table[0], table[1:]
    root = os.path.join(scratch, "partitioned")
    parts = {}
    for row in rows:
        if row[0] == "":
            continue  # a record without time: no day directory to put it in
        parts.setdefault(row[0], []).append(row[1:])
    for day, part in parts.items():
        directory = os.path.join(root, "day=" + day)
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "part-0.csv"), "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(header[1:])
            writer.writerows(part)
    reader = "read_csv('%s/*/*.csv', hive_partitioning = true)" % root
    described = dict((column[0], column[1]) for column in connection.sql("DESCRIBE SELECT * FROM " + reader).fetchall())
    if described.get("day") != "DATE":
        fail("partitions: day is %s, expected DATE" % described.get("day"))
    if described.get("requests") != "BIGINT" or described.get("model") != "VARCHAR":
        fail("partitions: requests %s, model %s" % (described.get("requests"), described.get("model")))
    got = connection.sql("SELECT strftime(day, '%%Y-%%m-%%d'), model, requests FROM %s ORDER BY ALL" % reader).fetchall()
    expected = sorted((row[0], row[1], int(row[2])) for row in rows if row[0] != "")
    if sorted((d, m or "", r) for d, m, r in got) != expected:
        fail("partitions: the rows differ from the unpartitioned CSV's")
    return 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokentally", required=True)
    parser.add_argument("--samples", required=True)
    parser.add_argument("--scratch", required=True)
    options = parser.parse_args()
    os.makedirs(options.scratch, exist_ok=True)
    connection = duckdb.connect()
    checked = 0
    for number, arguments in enumerate(GROUPINGS):
        base = os.path.join(options.scratch, "summary-%d" % number)
        paths = {
            "csv": base + ".csv",
            "tsv": base + ".tsv",
            "jsonl": base + ".jsonl",
            "excel-eu": base + "-eu.csv",
        }
        run(options.tokentally, options.samples, arguments, paths["csv"])
        run(options.tokentally, options.samples, arguments + ["--format", "tsv"], paths["tsv"])
        run(options.tokentally, options.samples, arguments + ["--format", "jsonl"], paths["jsonl"])
        run(options.tokentally, options.samples, arguments + ["--csv-dialect", "excel-eu"], paths["excel-eu"])

        with open(paths["csv"], newline="", encoding="utf-8") as file:
            table = list(csv.reader(file))
        header, rows = table[0], table[1:]
        with open(paths["csv"] + "-metadata.json", encoding="utf-8") as file:
            sidecar = json.load(file)
        columns = sidecar["tableSchema"]["columns"]
        if [column["name"] for column in columns] != header:
            fail("%s: sidecar columns %s, header %s" % (paths["csv"], [c["name"] for c in columns], header))
            continue
        datatypes = [column["datatype"] for column in columns]
        for name, path in paths.items():
            check(connection, "%s %s" % (" ".join(arguments), name), READERS[name].format(path=path), header, rows, datatypes)
            checked += 1
    checked += check_partitions(connection, options.scratch)
    if failures:
        print("duckdb_types: %d failures" % len(failures), file=sys.stderr)
        sys.exit(1)
    print("duckdb_types: %d outputs loaded by DuckDB %s with the expected types and values" % (checked, duckdb.__version__))


if __name__ == "__main__":
    main()
