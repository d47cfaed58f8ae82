#!/usr/bin/env python3
"""An independent oracle for `tokentally summarize` on the shapes in samples/.

Written from the product contract (PRODUCT.md: record shapes, normalisation, output contract)
with the Python standard library only, so the golden files do not come from the code they
check. It covers what the samples hold: the OpenRouter Responses usage object (snake_case and
SDK camelCase) logged with a top-level `usage`, Responses bodies, Responses stream events, and
gateway wrappers with the body under `response`, `body` or `data`; plain or gzip input.

    python3 samples/oracle.py                        # CSV for --by day,model over samples/
    python3 samples/oracle.py --by day,key FILE...   # any --by, any inputs
    python3 samples/oracle.py --tally                # the reconciliation terms per file
    python3 samples/oracle.py --check                # recompute every golden and diff (CI)
    python3 samples/oracle.py --write                # (re)write the goldens: review them by eye

Precision: numbers are taken from their JSON text exactly (`decimal`), rounded half-to-even
to 18 decimal places per value (tokentally's documented precision; the contract asks for at
least 6), and summed exactly.
"""

import argparse
import datetime
import decimal
import difflib
import gzip
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "expected")

# Golden file → --by. Each is computed over the whole samples/ directory.
GOLDENS = [
    ("summary-day-model.csv", "day,model"),
    ("summary-day-key.csv", "day,key"),
    ("summary-month-model-status.csv", "month,model,status"),
    ("summary-week-key.csv", "week,key"),
    ("summary-hour.csv", "hour"),
]

LOG_SUFFIXES = (".jsonl", ".ndjson", ".json")
MEASURES = ["requests", "input_tokens", "cached_input_tokens", "cache_write_tokens",
            "output_tokens", "reasoning_tokens", "total_tokens", "cost_usd"]
MAX_COUNT = decimal.Decimal(2 ** 63 - 1)
QUANTUM = decimal.Decimal(1).scaleb(-18)
CONTEXT = decimal.Context(prec=200, rounding=decimal.ROUND_HALF_EVEN)

# Where a shape keeps things (PRODUCT.md, "Record shapes").
CONTAINERS = ["response", "body", "data"]
TERMINAL_EVENTS = {"response.completed", "response.incomplete", "response.failed"}
TIME_KEYS = ["timestamp", "ts", "time", "startTime", "request_created_at", "created_at", "created", "createTime"]


class BadLine(Exception):
    """A line that is counted as bad, with its reason."""

    def __init__(self, reason, message=""):
        super().__init__(f"{reason}: {message}")
        self.reason = reason


# ------------------------------------------------------------------------------ inputs

def discover(operands):
    """Files named, and log files found under directories, sorted by path (bytewise)."""
    found = set()
    for operand in operands:
        if os.path.isdir(operand):
            for root, dirs, files in os.walk(operand):
                for name in files:
                    lower = name.lower()
                    base = lower[:-3] if lower.endswith(".gz") else lower
                    if base.endswith(LOG_SUFFIXES) and len(base) > len(".json"):
                        prefix = operand if operand.endswith("/") else operand + "/"
                        rel = os.path.relpath(os.path.join(root, name), operand)
                        found.add(prefix + rel)
        else:
            found.add(operand)
    return sorted(found, key=lambda p: p.encode("utf-8"))


def read_bytes(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        return gzip.decompress(raw)  # every member, CRC and length checked
    if path.lower().endswith(".gz"):
        raise SystemExit(f"oracle: {path}: named .gz but not gzip (not covered by this oracle)")
    return raw


def split_lines(data):
    """Lines without terminators: `\\n` or `\\r\\n`, a last line without newline, BOM skipped."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [line[:-1] if line.endswith(b"\r") else line for line in lines]


# ------------------------------------------------------------------------------ numbers

def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def parse_json(text):
    return json.loads(
        text,
        parse_float=decimal.Decimal,
        parse_int=decimal.Decimal,
        parse_constant=reject_constant,
        object_pairs_hook=dict,  # duplicate keys: the last one wins
    )


def count_value(obj, names, required, field):
    """The first present, non-null spelling of a count, checked; None when absent."""
    for name in names:
        if name in obj and obj[name] is not None:
            value = obj[name]
            if isinstance(value, bool) or not isinstance(value, decimal.Decimal):
                raise BadLine("bad_usage", f"{field}.{name} is not a number")
            if value < 0:
                raise BadLine("bad_usage", f"{field}.{name} is negative")
            if value > MAX_COUNT:
                raise BadLine("bad_usage", f"{field}.{name} is above 2^63-1")
            return value.quantize(QUANTUM, context=CONTEXT) + 0  # +0 turns -0 into 0
    if required:
        raise BadLine("bad_usage", f"{field}.{names[0]} is missing")
    return None


def details(obj, names, field):
    for name in names:
        if name in obj and obj[name] is not None:
            if not isinstance(obj[name], dict):
                raise BadLine("bad_usage", f"{field}.{name} is not an object")
            return obj[name]
    return {}


def normalise(usage):
    """The OpenRouter/OpenAI Responses usage object → the canonical measures."""
    inp = count_value(usage, ["input_tokens", "inputTokens"], True, "usage")
    out = count_value(usage, ["output_tokens", "outputTokens"], True, "usage")
    total = count_value(usage, ["total_tokens", "totalTokens"], False, "usage")
    ind = details(usage, ["input_tokens_details", "inputTokensDetails"], "usage")
    outd = details(usage, ["output_tokens_details", "outputTokensDetails"], "usage")
    cached = count_value(ind, ["cached_tokens", "cachedTokens"], False, "input details") or 0
    write = count_value(ind, ["cache_write_tokens", "cacheWriteTokens"], False, "input details") or 0
    reasoning = count_value(outd, ["reasoning_tokens", "reasoningTokens"], False, "output details") or 0
    cost = count_value(usage, ["cost"], False, "usage")  # never cost_details.upstream_inference_cost
    return {
        "input_tokens": inp,
        "cached_input_tokens": decimal.Decimal(cached),
        "cache_write_tokens": decimal.Decimal(write),
        "output_tokens": out,
        "reasoning_tokens": decimal.Decimal(reasoning),
        "total_tokens": total if total is not None else inp + out,
        "cost_usd": cost,
    }


# ------------------------------------------------------------------------------ shapes

def find_usage(obj, chain):
    """(chain of objects from the line down to the body, usage) or None for no usage."""
    chain = chain + [obj]
    kind = obj.get("type")
    if isinstance(kind, str) and kind.startswith("response."):
        # A Responses stream event: only the terminal events carry response.usage.
        response = obj.get("response")
        if kind in TERMINAL_EVENTS and isinstance(response, dict):
            usage = response.get("usage")
            if usage is None:
                return None
            if not isinstance(usage, dict):
                raise BadLine("bad_usage", "response.usage is not an object")
            return chain + [response], usage
        return None
    if "usage" in obj and obj["usage"] is not None:
        if not isinstance(obj["usage"], dict):
            raise BadLine("bad_usage", "usage is not an object")
        return chain, obj["usage"]
    for container in CONTAINERS:
        inner = obj.get(container)
        if isinstance(inner, dict):
            found = find_usage(inner, chain)
            if found is not None:
                return found
    return None


RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?"
    r"(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$")


def to_seconds(value):
    """Unix seconds (floored) of a timestamp value, or None when it is not one."""
    if isinstance(value, decimal.Decimal):
        magnitude = abs(value)
        if magnitude < 10 ** 11:
            scale = 1
        elif magnitude < 10 ** 14:
            scale = 1000
        elif magnitude < 10 ** 17:
            scale = 1_000_000
        else:
            scale = 1_000_000_000
        return int((value / scale).to_integral_value(rounding=decimal.ROUND_FLOOR))
    if isinstance(value, str):
        m = RFC3339.match(value)
        if not m:
            return None
        y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.group(1, 2, 3, 4, 5, 6))
        try:
            base = datetime.datetime(y, mo, d, h, mi, s, tzinfo=datetime.timezone.utc)
        except ValueError:
            return None
        seconds = int(base.timestamp())
        if m.group(9):
            offset = int(m.group(10)) * 3600 + int(m.group(11) or 0) * 60
            seconds -= offset if m.group(9) == "+" else -offset
        return seconds
    return None


def record_time(chain):
    """Outermost first: the line's own time wins over the body's created_at."""
    for level in chain:
        for key in TIME_KEYS:
            if key in level and level[key] is not None:
                seconds = to_seconds(level[key])
                if seconds is not None:
                    return seconds
    return None


def pointer(obj, text):
    """RFC 6901 JSON Pointer lookup; None when absent."""
    if text == "":
        return obj
    for token in text.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(obj, dict) and token in obj:
            obj = obj[token]
        elif isinstance(obj, list) and token.isdigit() and int(token) < len(obj):
            obj = obj[int(token)]
        else:
            return None
    return obj


def cell_text(value):
    """A dimension's text: a string as is, another scalar as its JSON text, else no value."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, decimal.Decimal):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def innermost(chain, key):
    for level in reversed(chain):
        if level.get(key) is not None:
            return level[key]
    return None


# ------------------------------------------------------------------------------ time buckets

def bucket(grain, seconds):
    if seconds is None:
        return None
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    day = moment.date()
    if grain == "hour":
        return (seconds // 3600 * 3600, moment.strftime("%Y-%m-%d %H:00"))
    if grain == "day":
        start = day
    elif grain == "week":
        start = day - datetime.timedelta(days=day.weekday())  # ISO week: Monday
    elif grain == "month":
        start = day.replace(day=1)
    else:
        raise ValueError(grain)
    return (start.toordinal(), start.isoformat())


# ------------------------------------------------------------------------------ the summary

def new_tally():
    return {"lines_read": 0, "records": 0, "no_usage": 0, "bad_lines": 0, "blank_lines": 0,
            "filtered_out": 0, "duplicates_dropped": 0, "failed_file_lines": 0, "bad_lines_by_reason": {}}


def summarize(paths, columns, fields):
    groups = {}
    tallies = {}
    for path in paths:
        tally = tallies.setdefault(path, new_tally())
        for line in split_lines(read_bytes(path)):
            tally["lines_read"] += 1
            if line == b"":
                tally["blank_lines"] += 1
                continue
            try:
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError:
                    raise BadLine("invalid_utf8")
                try:
                    obj = parse_json(text)
                except ValueError as error:
                    raise BadLine("invalid_json", str(error))
                if not isinstance(obj, dict):
                    raise BadLine("not_object")
                if "usage" in fields:
                    usage = pointer(obj, fields["usage"])
                    found = ([obj], usage) if isinstance(usage, dict) else None
                else:
                    found = find_usage(obj, [])
                if found is None:
                    tally["no_usage"] += 1
                    continue
                chain, usage = found
                measures = normalise(usage)
            except BadLine as bad:
                tally["bad_lines"] += 1
                by_reason = tally["bad_lines_by_reason"]
                by_reason[bad.reason] = by_reason.get(bad.reason, 0) + 1
                continue
            tally["records"] += 1

            seconds = to_seconds(pointer(obj, fields["time"])) if "time" in fields else record_time(chain)
            key = []
            for column in columns:
                if column in ("hour", "day", "week", "month"):
                    key.append(bucket(column, seconds))
                    continue
                if column == "file":
                    value = path
                elif column in fields:
                    value = pointer(obj, fields[column])
                elif column == "model":
                    value = innermost(chain, "model")
                elif column == "status":
                    value = innermost(chain, "status")
                elif column == "key":
                    value = obj.get("api_key")
                else:
                    raise SystemExit(f"oracle: unknown column {column}")
                text = cell_text(value)
                key.append(None if text is None else (text.encode("utf-8"), text))
            sums = groups.setdefault(tuple(key), {name: decimal.Decimal(0) for name in MEASURES} | {"costed": 0})
            sums["requests"] += 1
            for name in MEASURES[1:]:
                if measures[name] is not None:
                    sums[name] += measures[name]
            if measures["cost_usd"] is not None:
                sums["costed"] += 1
    return groups, tallies


def sort_key(key):
    # No value sorts first; time by instant; strings by their UTF-8 bytes.
    return tuple((0,) if part is None else (1, part[0]) for part in key)


def number_text(value):
    value = value.normalize(CONTEXT) if value != 0 else decimal.Decimal(0)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def csv_field(text):
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def render(groups, columns):
    out = [",".join(columns + MEASURES)]
    for key in sorted(groups, key=sort_key):
        sums = groups[key]
        cells = ["" if part is None else part[1] for part in key]
        cells += [str(int(sums["requests"]))]
        cells += [number_text(sums[name]) for name in MEASURES[1:-1]]
        cells += [number_text(sums["cost_usd"]) if sums["costed"] else ""]
        out.append(",".join(csv_field(c) for c in cells))
    return "\n".join(out) + "\n"


def golden_text(by):
    # Paths are relative to samples/ so the `file` column (if any) does not depend on the
    # checkout location.
    cwd = os.getcwd()
    os.chdir(HERE)
    try:
        groups, _ = summarize(discover(["."]), by.split(","), {})
    finally:
        os.chdir(cwd)
    return render(groups, by.split(","))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="*")
    parser.add_argument("--by", default="day,model")
    parser.add_argument("--field", action="append", default=[], help="NAME=/json/pointer")
    parser.add_argument("--tally", action="store_true", help="print the reconciliation terms per file")
    parser.add_argument("--check", action="store_true", help="diff every golden against a fresh computation")
    parser.add_argument("--write", action="store_true", help="write every golden")
    args = parser.parse_args()

    if args.check or args.write:
        failed = False
        for name, by in GOLDENS:
            path = os.path.join(EXPECTED, name)
            fresh = golden_text(by)
            if args.write:
                os.makedirs(EXPECTED, exist_ok=True)
                with open(path, "w", encoding="utf-8", newline="") as f:
                    f.write(fresh)
                print(f"wrote {os.path.relpath(path)} (--by {by})")
                continue
            try:
                with open(path, encoding="utf-8", newline="") as f:
                    committed = f.read()
            except FileNotFoundError:
                committed = ""
            if committed != fresh:
                failed = True
                sys.stdout.writelines(difflib.unified_diff(
                    committed.splitlines(True), fresh.splitlines(True), f"committed/{name}", f"oracle/{name}"))
            else:
                print(f"ok {name} (--by {by})")
        return 1 if failed else 0

    fields = {}
    for flag in args.field:
        name, _, ptr = flag.partition("=")
        fields[name] = ptr
    inputs = args.inputs or [os.path.relpath(HERE)]
    paths = discover(inputs)
    groups, tallies = summarize(paths, args.by.split(","), fields)
    if args.tally:
        total = new_tally()
        for path, tally in tallies.items():
            print(path, json.dumps(tally, sort_keys=True))
            for k, v in tally.items():
                if k == "bad_lines_by_reason":
                    for reason, n in v.items():
                        total[k][reason] = total[k].get(reason, 0) + n
                else:
                    total[k] += v
        print("TOTAL", json.dumps(total, sort_keys=True))
        return 0
    sys.stdout.write(render(groups, args.by.split(",")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
