#!/usr/bin/env python3
"""An independent oracle for `tokentally summarize` on the shapes in samples/.

Written from the product contract (PRODUCT.md: record shapes, normalisation, output contract)
with the Python standard library only, so the golden files do not come from the code they
check. It covers what the samples hold: the OpenRouter Responses usage object (snake_case and
SDK camelCase) logged with a top-level `usage`, Responses bodies and stream events, Chat
Completions bodies and chunks (OpenAI, OpenRouter), Anthropic Messages bodies and stream
events, Gemini `usageMetadata`, Claude Code transcripts (always deduplicated by `message.id` +
`requestId`), LiteLLM payloads and spend logs (flat counts), and gateway wrappers with the body
under `response`, `body`, `data` or `message`; plain or gzip input. It also does `--tz`
(`zoneinfo`), `--since`/`--until` (local, half-open), `--dedup`, `--field` pointers that
continue inside a JSON-encoded string, `--prices FILE` (docs/prices.md: computed costs,
`unpriced_requests`, `cache_savings_usd`), and `--stats` (docs/schema.md, *Percentiles*: exact
nearest-rank percentiles, so only for groups of at most 256 requests, where tokentally's are
exact too). docs/formats.md states the rules it implements.

    python3 samples/oracle.py                        # CSV for --by day,model over samples/
    python3 samples/oracle.py --by day,key FILE...   # any --by, any inputs
    python3 samples/oracle.py --by day --tz Asia/Kolkata --since 2026-11-27
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
import zoneinfo

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "expected")

# Golden file → the arguments of `tokentally summarize samples/ …` it holds the output of.
# Each is computed over the whole samples/ directory.
GOLDENS = [
    ("summary-day-model.csv", ["--by", "day,model"]),
    ("summary-day-key.csv", ["--by", "day,key"]),
    ("summary-month-model-status.csv", ["--by", "month,model,status"]),
    ("summary-week-key.csv", ["--by", "week,key"]),
    ("summary-hour.csv", ["--by", "hour"]),
    ("summary-day-model-provider.csv", ["--by", "day,model,provider"]),
    ("summary-day-user.csv", ["--by", "day,user"]),
    ("summary-day-team.csv", ["--by", "day,team", "--field", "team=/metadata/user_api_key_team_id"]),
    ("summary-day-model-kolkata.csv", ["--by", "day,model", "--tz", "Asia/Kolkata"]),
    ("summary-day-ny-since.csv", ["--by", "day", "--tz", "America/New_York", "--since", "2026-11-27",
                                  "--until", "2026-11-30"]),
    ("summary-day-model-prices.csv", ["--by", "day,model", "--prices", "samples/prices-2026-11.csv"]),
    ("summary-day-model-stats.csv", ["--by", "day,model", "--stats"]),
]
ROOT = os.path.dirname(HERE)

LOG_SUFFIXES = (".jsonl", ".ndjson", ".json")
MEASURES = ["requests", "input_tokens", "cached_input_tokens", "cache_write_tokens",
            "output_tokens", "reasoning_tokens", "total_tokens", "cost_usd"]
MAX_COUNT = decimal.Decimal(2 ** 63 - 1)
QUANTUM = decimal.Decimal(1).scaleb(-18)
CONTEXT = decimal.Context(prec=200, rounding=decimal.ROUND_HALF_EVEN)

# Where a shape keeps things (PRODUCT.md, "Record shapes").
CONTAINERS = ["response", "body", "data", "message"]
TERMINAL_EVENTS = {"response.completed", "response.incomplete", "response.failed"}
ANTHROPIC_EVENTS = {"message_start", "message_delta", "message_stop", "content_block_start", "content_block_delta",
                    "content_block_stop", "ping"}
USAGE_COUNTS = ["input_tokens", "inputTokens", "prompt_tokens", "output_tokens", "outputTokens", "completion_tokens",
                "total_tokens", "totalTokens", "cache_read_input_tokens", "cache_creation_input_tokens"]
ANTHROPIC_CACHE = ["cache_read_input_tokens", "cache_creation_input_tokens"]
GEMINI_COUNTS = ["promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "cachedContentTokenCount",
                 "totalTokenCount"]
ID_KEYS = ["id", "request_id", "requestId", "generation_id", "responseId"]
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


def first_count(obj, names, field):
    """The first spelling of a count that is present, checked (None when none is)."""
    return count_value(obj, names, False, field)


def openai_measures(usage, details_from=None):
    """OpenAI / OpenRouter (Responses or Chat Completions, snake_case or camelCase) → canonical.

    `details_from`: for a flat level (LiteLLM), the provider usage nested under `response.usage`,
    where the detail counts are taken from when the level itself has none.
    """
    inp = count_value(usage, ["input_tokens", "inputTokens", "prompt_tokens"], True, "usage")
    out = count_value(usage, ["output_tokens", "outputTokens", "completion_tokens"], True, "usage")
    total = first_count(usage, ["total_tokens", "totalTokens"], "usage")
    in_names = ["input_tokens_details", "inputTokensDetails", "prompt_tokens_details"]
    out_names = ["output_tokens_details", "outputTokensDetails", "completion_tokens_details"]
    ind = details(usage, in_names, "usage")
    outd = details(usage, out_names, "usage")
    if details_from is not None:
        if not any(usage.get(n) is not None for n in in_names):
            ind = details(details_from, in_names, "response.usage")
        if not any(usage.get(n) is not None for n in out_names):
            outd = details(details_from, out_names, "response.usage")
    cached = first_count(ind, ["cached_tokens", "cachedTokens"], "input details") or 0
    write = first_count(ind, ["cache_write_tokens", "cacheWriteTokens"], "input details") or 0
    reasoning = first_count(outd, ["reasoning_tokens", "reasoningTokens"], "output details") or 0
    return {
        "input_tokens": inp,
        "cached_input_tokens": decimal.Decimal(cached),
        "cache_write_tokens": decimal.Decimal(write),
        "output_tokens": out,
        "reasoning_tokens": decimal.Decimal(reasoning),
        "total_tokens": total if total is not None else inp + out,
        "reported_total": total,
    }


def anthropic_measures(usage):
    """Anthropic Messages / Claude Code: `input_tokens` excludes the cache reads and writes."""
    base = count_value(usage, ["input_tokens"], True, "usage")
    read = first_count(usage, ["cache_read_input_tokens"], "usage") or decimal.Decimal(0)
    write = first_count(usage, ["cache_creation_input_tokens"], "usage") or decimal.Decimal(0)
    out = count_value(usage, ["output_tokens"], True, "usage")
    outd = details(usage, ["output_tokens_details"], "usage")
    thinking = first_count(outd, ["thinking_tokens"], "output details") or decimal.Decimal(0)
    total = first_count(usage, ["total_tokens"], "usage")
    inp = base + read + write
    return {
        "input_tokens": inp,
        "cached_input_tokens": read,
        "cache_write_tokens": write,
        "output_tokens": out,
        "reasoning_tokens": thinking,
        "total_tokens": total if total is not None else inp + out,
        "reported_total": total,
    }


def gemini_measures(meta):
    """Gemini `usageMetadata`: every count optional (proto3 JSON omits zeros); thoughts are
    outside `candidatesTokenCount`, so output = candidates + thoughts."""
    zero = decimal.Decimal(0)
    prompt = first_count(meta, ["promptTokenCount"], "usageMetadata") or zero
    candidates = first_count(meta, ["candidatesTokenCount"], "usageMetadata") or zero
    thoughts = first_count(meta, ["thoughtsTokenCount"], "usageMetadata") or zero
    cached = first_count(meta, ["cachedContentTokenCount"], "usageMetadata") or zero
    total = first_count(meta, ["totalTokenCount"], "usageMetadata")
    out = candidates + thoughts
    return {
        "input_tokens": prompt,
        "cached_input_tokens": cached,
        "cache_write_tokens": zero,
        "output_tokens": out,
        "reasoning_tokens": thoughts,
        "total_tokens": total if total is not None else prompt + out,
        "reported_total": total,
    }


def normalise(found):
    """The usage found → the canonical measures (PRODUCT.md's normalisation table) and cost."""
    if found.dialect == "anthropic":
        measures = anthropic_measures(found.usage)
    elif found.dialect == "gemini":
        measures = gemini_measures(found.usage)
    elif found.dialect == "flat":
        response = found.usage.get("response")
        nested = response.get("usage") if isinstance(response, dict) else None
        measures = openai_measures(found.usage, nested if isinstance(nested, dict) else None)
    else:
        measures = openai_measures(found.usage)
    # Cost in USD: never cost_details.upstream_inference_cost.
    cost_names = ["response_cost", "spend", "cost"] if found.dialect == "flat" else ["cost"]
    measures["cost_usd"] = first_count(found.usage, cost_names, "usage")
    return measures


# ------------------------------------------------------------------------------ shapes

class NoUsage(Exception):
    """The line is a stream event that carries no usage: stop looking."""


class Found:
    """Where a line's usage was found: the levels from the root down, the container keys
    taken to get there, the usage object and its dialect."""

    def __init__(self, path, keys, usage, dialect):
        self.path, self.keys, self.usage, self.dialect = path, keys, usage, dialect


def present(obj, key):
    return key in obj and obj[key] is not None


def search(level, path, keys, depth):
    """Rules a–f at one level, then its containers depth-first; the first hit wins."""
    path = path + [level]
    kind = level.get("type")
    # a. A Responses stream event: only the terminal events carry response.usage.
    if isinstance(kind, str) and kind.startswith("response."):
        response = level.get("response")
        if kind in TERMINAL_EVENTS and isinstance(response, dict):
            usage = response.get("usage")
            if isinstance(usage, dict):
                return Found(path + [response], keys + ["response"], usage, "openai")
            if usage is not None:
                raise BadLine("bad_usage", "response.usage is not an object")
        raise NoUsage()
    # b. Anthropic stream events: no usage (log the final message instead).
    if kind in ANTHROPIC_EVENTS:
        raise NoUsage()
    # c. A usage object with at least one count.
    if present(level, "usage"):
        usage = level["usage"]
        if not isinstance(usage, dict):
            raise BadLine("bad_usage", "usage is not an object")
        if any(present(usage, name) for name in USAGE_COUNTS):
            anthropic = any(name in usage for name in ANTHROPIC_CACHE) or kind == "message"
            return Found(path, keys, usage, "anthropic" if anthropic else "openai")
    # d. Gemini usageMetadata.
    meta = level.get("usageMetadata")
    if meta is not None and not isinstance(meta, dict):
        raise BadLine("bad_usage", "usageMetadata is not an object")
    if isinstance(meta, dict) and any(present(meta, name) for name in GEMINI_COUNTS):
        return Found(path, keys, meta, "gemini")
    # e. Flat counts (LiteLLM, Helicone…): the level itself is the usage.
    if present(level, "prompt_tokens") or present(level, "completion_tokens"):
        return Found(path, keys, level, "flat")
    # f. Containers: two deep, plus one more `response` under a second-level container.
    containers = CONTAINERS if depth < 2 else (["response"] if depth == 2 else [])
    for container in containers:
        inner = level.get(container)
        if isinstance(inner, dict):
            found = search(inner, path, keys + [container], depth + 1)
            if found is not None:
                return found
    return None


def find_usage(obj):
    """The line's usage (a Found) or None for a line without usage."""
    try:
        return search(obj, [], [], 0)
    except NoUsage:
        return None


def claude_code_id(obj, found):
    """A Claude Code transcript line: (message.id, requestId) — requestId may be absent."""
    if obj.get("type") == "assistant" and found.keys == ["message"]:
        message = found.path[1]
        return ("claude-code", cell_text(message.get("id")), cell_text(obj.get("requestId")))
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


def to_milliseconds(value):
    """Unix milliseconds (floored) of a timestamp value, or None when it is not one."""
    seconds = to_seconds(value)
    if seconds is None:
        return None
    if isinstance(value, decimal.Decimal):
        magnitude = abs(value)
        scale = 1 if magnitude < 10 ** 11 else 1000 if magnitude < 10 ** 14 else \
            1_000_000 if magnitude < 10 ** 17 else 1_000_000_000
        return int((value * 1000 / scale).to_integral_value(rounding=decimal.ROUND_FLOOR))
    fraction = RFC3339.match(value).group(7)
    return seconds * 1000 + (int((fraction[1:] + "000")[:3]) if fraction else 0)


def latency_ms(chain, obj, fields, tally):
    """--stats: the request's latency in ms (docs/formats.md, Latency), or None. A number of
    milliseconds is rounded half up; an unusable value is warned about."""
    def milliseconds(value):
        if isinstance(value, decimal.Decimal) and value >= 0:
            return int(value.to_integral_value(rounding=decimal.ROUND_HALF_UP))
        warn(tally, "invalid_latency")
        return None
    if "latency" in fields:
        value = pointer(obj, fields["latency"])
        return None if value is None else milliseconds(value)
    for level in chain:
        if level.get("latency_ms") is not None:
            return milliseconds(level["latency_ms"])
        start, end = level.get("startTime"), level.get("endTime")
        if start is not None and end is not None:
            start, end = to_milliseconds(start), to_milliseconds(end)
            if start is None or end is None or end < start:
                warn(tally, "invalid_latency")
                return None
            return end - start
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
    """RFC 6901 JSON Pointer lookup; None when absent. A string whose content is a JSON object
    or array (LiteLLM's JSON-encoded `metadata`) is looked into when the pointer goes on."""
    if text == "":
        return obj
    for token in text.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(obj, str):
            try:
                decoded = parse_json(obj)
            except ValueError:
                return None
            if not isinstance(decoded, (dict, list)):
                return None
            obj = decoded
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


def is_present(value):
    return value is not None and value != ""


def lookup(level, candidate):
    """One candidate: a key of the level, or (`metadata`, key) inside an object `metadata`."""
    if isinstance(candidate, tuple):
        inner = level.get(candidate[0])
        return inner.get(candidate[1]) if isinstance(inner, dict) else None
    return level.get(candidate)


def field_value(path, candidates, outermost_first):
    """The first present value, level by level (outermost or innermost first), and per level
    in the candidates' order."""
    levels = path if outermost_first else list(reversed(path))
    for level in levels:
        for candidate in candidates:
            value = lookup(level, candidate)
            if is_present(value):
                return value
    return None


MODEL_KEYS = ["model", "modelVersion"]
KEY_KEYS = ["api_key", "key", ("metadata", "user_api_key_hash")]
USER_KEYS = ["user", "end_user", ("metadata", "user_api_key_user_id")]
PROVIDER_KEYS = ["provider", "custom_llm_provider"]


def builtin_value(column, path, obj, fields):
    """A built-in dimension's value for a record whose usage sits at the end of `path`."""
    if column in fields:
        return pointer(obj, fields[column])
    if column == "model":
        return field_value(path, MODEL_KEYS, False)
    if column == "status":
        return field_value(path, ["status"], False)
    if column == "key":
        return field_value(path, KEY_KEYS, True)
    if column == "user":
        return field_value(path, USER_KEYS, True)
    if column == "provider":
        value = field_value(path, PROVIDER_KEYS, True)
        if value is None:
            model = cell_text(builtin_value("model", path, obj, fields))
            if model is not None and "/" in model:
                value = model.split("/", 1)[0]
        return value
    raise SystemExit(f"oracle: unknown column {column}")


# ------------------------------------------------------------------------------ time buckets

def local_time(seconds, zone):
    return datetime.datetime.fromtimestamp(seconds, zone)


def bucket(grain, seconds, zone):
    """(sort key, label) of the bucket holding `seconds`, in the zone's local time."""
    if seconds is None:
        return None
    moment = local_time(seconds, zone)
    day = moment.date()
    if grain == "hour":
        return ((day.toordinal(), moment.hour), moment.strftime("%Y-%m-%d %H:00"))
    if grain == "day":
        start = day
    elif grain == "week":
        start = day - datetime.timedelta(days=day.weekday())  # ISO week: Monday
    elif grain == "month":
        start = day.replace(day=1)
    else:
        raise ValueError(grain)
    return ((start.toordinal(),), start.isoformat())


def parse_limit(text, zone):
    """--since/--until: a local date or date-time in --tz (an explicit offset is honoured)."""
    m = RFC3339.match(text)
    if not m:
        raise SystemExit(f"oracle: not a date or date-time: {text}")
    y, mo, d, h, mi, sec = (int(g) if g else 0 for g in m.group(1, 2, 3, 4, 5, 6))
    if m.group(8) or m.group(9):
        return to_seconds(text)
    return int(datetime.datetime(y, mo, d, h, mi, sec, tzinfo=zone).timestamp())


# ------------------------------------------------------------------------------ the summary

# --- --prices (docs/prices.md), written from the document, not from the Swift code ---

PRICE_COLUMNS = ["model", "effective_from", "input_per_mtok", "cached_input_per_mtok",
                 "cache_write_per_mtok", "output_per_mtok"]


def load_prices(path):
    """The price rows: dicts with pattern, regex, literal count, first line of the pattern,
    effective (seconds or None) and the four prices (Decimal)."""
    import csv
    with open(path, encoding="utf-8-sig", newline="") as f:
        lines = [line for line in f.read().splitlines() if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.reader(lines, skipinitialspace=True)
    header = [h.strip() for h in next(reader)]
    rows = []
    first_line = {}
    for number, fields in enumerate(reader):
        row = dict(zip(header, [x.strip() for x in fields]))
        pattern = row["model"]
        first_line.setdefault(pattern, number)
        date = row.get("effective_from", "")
        effective = None
        if date:
            day = datetime.datetime.strptime(date, "%Y-%m-%d").replace(tzinfo=datetime.timezone.utc)
            effective = int(day.timestamp())
        price = {name: decimal.Decimal(row[name]) for name in ("input_per_mtok", "output_per_mtok")}
        for name in ("cached_input_per_mtok", "cache_write_per_mtok"):
            price[name] = decimal.Decimal(row[name]) if row.get(name) else price["input_per_mtok"]
        rows.append({"pattern": pattern, "exact": "*" not in pattern,
                     "regex": re.compile("".join(".*" if c == "*" else re.escape(c) for c in pattern), re.S),
                     "literal": len(pattern.replace("*", "")), "first": first_line[pattern],
                     "effective": effective, **price})
    return rows


def price_row(rows, model, seconds):
    """Among matching rows in effect at `seconds` (all when None): exact first, then more
    literal characters, then the earlier pattern, then the latest date."""
    if model is None:
        return None
    candidates = [r for r in rows if r["regex"].fullmatch(model)
                  and (seconds is None or r["effective"] is None or r["effective"] <= seconds)]
    if not candidates:
        return None
    if seconds is None:
        # No time: the latest row of the most specific pattern.
        best = min(candidates, key=lambda r: (not r["exact"], -r["literal"], r["first"]))
        candidates = [r for r in candidates if r["pattern"] == best["pattern"]]
    return min(candidates, key=lambda r: (not r["exact"], -r["literal"], r["first"],
                                          -(r["effective"] if r["effective"] is not None else -2 ** 63)))


def per_million(tokens, price):
    return (tokens * price / 1_000_000).quantize(QUANTUM, rounding=decimal.ROUND_HALF_EVEN, context=CONTEXT)


def apply_price(measures, row):
    """Sets the cost (when the log has none) and the cache savings of a record priced by `row`."""
    cached, written = measures["cached_input_tokens"], measures["cache_write_tokens"]
    uncached = max(decimal.Decimal(0), measures["input_tokens"] - cached - written)
    if measures["cost_usd"] is None:
        measures["cost_usd"] = (per_million(uncached, row["input_per_mtok"])
                                + per_million(cached, row["cached_input_per_mtok"])
                                + per_million(written, row["cache_write_per_mtok"])
                                + per_million(measures["output_tokens"], row["output_per_mtok"]))
    measures["cache_savings_usd"] = per_million(cached, row["input_per_mtok"] - row["cached_input_per_mtok"])


def new_tally():
    return {"lines_read": 0, "records": 0, "no_usage": 0, "bad_lines": 0, "blank_lines": 0,
            "filtered_out": 0, "duplicates_dropped": 0, "failed_file_lines": 0, "bad_lines_by_reason": {},
            "warnings": {}}


def warn(tally, name):
    tally["warnings"][name] = tally["warnings"].get(name, 0) + 1


def decode(paths, columns, fields, dedup_all, prices=None, stats=False):
    """Every line → a record (dict) or a tally term. Records keep what grouping needs."""
    records = []
    tallies = {}
    for path in paths:
        tally = tallies.setdefault(path, new_tally())
        for number, line in enumerate(split_lines(read_bytes(path)), 1):
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
                    if isinstance(usage, dict):
                        anthropic = any(name in usage for name in ANTHROPIC_CACHE)
                        found = Found([obj], [], usage, "anthropic" if anthropic else "openai")
                    else:
                        found = None
                else:
                    found = find_usage(obj)
                if found is None:
                    tally["no_usage"] += 1
                    continue
                dedup_key = claude_code_id(obj, found) if "usage" not in fields else None
                if dedup_key is not None and found.path[1].get("model") == "<synthetic>":
                    tally["no_usage"] += 1  # a Claude Code rate-limit or error message
                    continue
                measures = normalise(found)
            except BadLine as bad:
                tally["bad_lines"] += 1
                by_reason = tally["bad_lines_by_reason"]
                by_reason[bad.reason] = by_reason.get(bad.reason, 0) + 1
                continue

            chain = found.path
            seconds = to_seconds(pointer(obj, fields["time"])) if "time" in fields else record_time(chain)
            if seconds is None:
                warn(tally, "missing_timestamp")
            reported = measures.pop("reported_total")
            if reported is not None and reported != measures["input_tokens"] + measures["output_tokens"]:
                warn(tally, "total_mismatch")
            if measures["cached_input_tokens"] > measures["input_tokens"]:
                warn(tally, "cached_exceeds_input")
            if measures["reasoning_tokens"] > measures["output_tokens"]:
                warn(tally, "reasoning_exceeds_output")
            if any(v is not None and v != v.to_integral_value() for k, v in measures.items() if k != "cost_usd"):
                warn(tally, "fractional_count")
            measures["cache_savings_usd"] = None
            if prices is not None:
                # Priced at the record's own time, before deduplication moves it to its
                # earliest copy's bucket.
                model = cell_text(builtin_value("model", chain, obj, fields))
                row = price_row(prices, model, seconds)
                if row is not None:
                    apply_price(measures, row)
            if dedup_key is None and dedup_all:
                request_id = cell_text(field_value(chain, ID_KEYS, False))
                dedup_key = None if request_id is None else ("id", request_id)

            values = {}
            for column in columns:
                if column in ("hour", "day", "week", "month"):
                    continue
                if column == "file":
                    values[column] = path
                elif column in ("model", "status", "key", "user", "provider"):
                    values[column] = builtin_value(column, chain, obj, fields)
                elif column in fields:
                    values[column] = pointer(obj, fields[column])
                else:
                    raise SystemExit(f"oracle: unknown column {column}")
            latency = latency_ms(chain, obj, fields, tally) if stats else None
            records.append({"path": path, "line": number, "seconds": seconds, "measures": measures,
                            "values": values, "dedup": dedup_key, "latency": latency})
    return records, tallies


def deduplicate(records, tallies):
    """One record per id: the largest output wins (then the latest time, then the first in
    path and line order); the time is the earliest of all copies."""
    kept = [r for r in records if r["dedup"] is None]
    groups = {}
    for record in records:
        if record["dedup"] is not None:
            groups.setdefault(record["dedup"], []).append(record)
    for copies in groups.values():
        def rank(r):
            return (r["measures"]["output_tokens"], -1 if r["seconds"] is None else r["seconds"])
        best = max(rank(r) for r in copies)
        winner = min((r for r in copies if rank(r) == best), key=lambda r: (r["path"].encode("utf-8"), r["line"]))
        times = [r["seconds"] for r in copies if r["seconds"] is not None]
        winner = dict(winner, seconds=min(times) if times else None)
        for r in copies:
            if r["line"] != winner["line"] or r["path"] != winner["path"]:
                tallies[r["path"]]["duplicates_dropped"] += 1
        kept.append(winner)
    return kept


def summarize(paths, columns, fields, zone=datetime.timezone.utc, since=None, until=None, dedup_all=False,
              prices=None, stats=False):
    records, tallies = decode(paths, columns, fields, dedup_all, prices, stats)
    groups = {}
    for record in deduplicate(records, tallies):
        tally = tallies[record["path"]]
        seconds = record["seconds"]
        if since is not None or until is not None:
            if seconds is None or (since is not None and seconds < since) or (until is not None and seconds >= until):
                tally["filtered_out"] += 1
                continue
        tally["records"] += 1
        measures = record["measures"]
        key = []
        for column in columns:
            if column in ("hour", "day", "week", "month"):
                key.append(bucket(column, seconds, zone))
                continue
            text = cell_text(record["values"][column])
            key.append(None if text is None else (text.encode("utf-8"), text))
        sums = groups.setdefault(tuple(key), {name: decimal.Decimal(0) for name in MEASURES}
                                 | {"costed": 0, "cache_savings_usd": decimal.Decimal(0), "saved": 0,
                                    "token_values": [], "latency_values": []})
        sums["requests"] += 1
        sums["token_values"].append(int(measures["total_tokens"]))  # whole tokens
        if record["latency"] is not None:
            sums["latency_values"].append(record["latency"])
        for name in MEASURES[1:]:
            if measures[name] is not None:
                sums[name] += measures[name]
        if measures["cost_usd"] is not None:
            sums["costed"] += 1
        if measures["cache_savings_usd"] is not None:
            sums["cache_savings_usd"] += measures["cache_savings_usd"]
            sums["saved"] += 1
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


PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")


def neutralised(text, column):
    """docs/schema.md, Spreadsheet safety: a log's string that starts a formula gets a '."""
    if column in ("hour", "day", "week", "month", "file") or text == "":
        return text
    if text[0] in "=+-@\t\r" and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


STATS = ["p50_total_tokens", "p95_total_tokens", "p99_total_tokens", "max_total_tokens",
         "p50_latency_ms", "p95_latency_ms", "p99_latency_ms", "max_latency_ms"]


def percentile_cells(values):
    """p50, p95, p99 and max by nearest rank (rank ceil(p*n/100)); empty cells for no values."""
    if not values:
        return ["", "", "", ""]
    if len(values) > 256:
        raise SystemExit("oracle: a group has more than 256 values; tokentally's percentiles are then "
                         "HDR-approximate and this oracle computes only exact ones")
    ordered = sorted(values)
    return [str(ordered[max(1, (p * len(ordered) + 99) // 100) - 1]) for p in (50, 95, 99)] + [str(ordered[-1])]


def render(groups, columns, prices=False, stats=False):
    out = [",".join(columns + MEASURES + (["unpriced_requests", "cache_savings_usd"] if prices else [])
                    + (STATS if stats else []))]
    for key in sorted(groups, key=sort_key):
        sums = groups[key]
        cells = [neutralised("" if part is None else part[1], column) for part, column in zip(key, columns)]
        cells += [str(int(sums["requests"]))]
        cells += [number_text(sums[name]) for name in MEASURES[1:-1]]
        cells += [number_text(sums["cost_usd"]) if sums["costed"] else ""]
        if prices:
            cells += [str(int(sums["requests"]) - sums["costed"])]
            cells += [number_text(sums["cache_savings_usd"]) if sums["saved"] else ""]
        if stats:
            cells += percentile_cells(sums["token_values"]) + percentile_cells(sums["latency_values"])
        out.append(",".join(csv_field(c) for c in cells))
    return "\n".join(out) + "\n"


def parser():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("inputs", nargs="*")
    p.add_argument("--by", default="day,model")
    p.add_argument("--field", action="append", default=[], help="NAME=/json/pointer")
    p.add_argument("--tz", default="UTC", help="IANA time zone of the time buckets and of --since/--until")
    p.add_argument("--since", help="local date or date-time in --tz (inclusive)")
    p.add_argument("--until", help="local date or date-time in --tz (exclusive)")
    p.add_argument("--dedup", action="store_true", help="one record per request id (Claude Code: always)")
    p.add_argument("--prices", help="price file (docs/prices.md): cost of records without one, two more columns")
    p.add_argument("--stats", action="store_true", help="percentiles of total tokens and latency (exact)")
    p.add_argument("--tally", action="store_true", help="print the reconciliation terms per file")
    p.add_argument("--check", action="store_true", help="diff every golden against a fresh computation")
    p.add_argument("--write", action="store_true", help="write every golden")
    p.add_argument("--list", action="store_true", help="print the goldens and their arguments (JSON)")
    return p


def run(args):
    """(groups, tallies, columns) for parsed arguments."""
    fields = {}
    for flag in args.field:
        name, _, ptr = flag.partition("=")
        fields[name] = ptr
    zone = zoneinfo.ZoneInfo(args.tz)
    since = parse_limit(args.since, zone) if args.since else None
    until = parse_limit(args.until, zone) if args.until else None
    inputs = args.inputs or [os.path.relpath(HERE)]
    columns = args.by.split(",")
    prices = load_prices(args.prices) if args.prices else None
    groups, tallies = summarize(discover(inputs), columns, fields, zone, since, until, args.dedup, prices,
                                args.stats)
    return groups, tallies, columns


def golden_text(arguments):
    # Paths are relative to samples/ so the `file` column (if any) does not depend on the
    # checkout location.
    # A price file is named as from the package root (as the binary is run in the tests).
    arguments = [os.path.join(ROOT, a) if a.startswith("samples/") else a for a in arguments]
    cwd = os.getcwd()
    os.chdir(HERE)
    try:
        args = parser().parse_args(arguments + ["."])
        groups, _, columns = run(args)
    finally:
        os.chdir(cwd)
    return render(groups, columns, args.prices is not None, args.stats)


def main():
    args = parser().parse_args()

    if args.list:
        print(json.dumps([[name, arguments] for name, arguments in GOLDENS]))
        return 0

    if args.check or args.write:
        failed = False
        for name, arguments in GOLDENS:
            path = os.path.join(EXPECTED, name)
            fresh = golden_text(arguments)
            shown = " ".join(arguments)
            if args.write:
                os.makedirs(EXPECTED, exist_ok=True)
                with open(path, "w", encoding="utf-8", newline="") as f:
                    f.write(fresh)
                print(f"wrote {os.path.relpath(path)} ({shown})")
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
                print(f"ok {name} ({shown})")
        return 1 if failed else 0

    groups, tallies, columns = run(args)
    if args.tally:
        total = new_tally()
        for path, tally in tallies.items():
            print(path, json.dumps(tally, sort_keys=True))
            for k, v in tally.items():
                if isinstance(v, dict):
                    for reason, n in v.items():
                        total[k][reason] = total[k].get(reason, 0) + n
                else:
                    total[k] += v
        print("TOTAL", json.dumps(total, sort_keys=True), "rows", len(groups))
        return 0
    sys.stdout.write(render(groups, columns, args.prices is not None, args.stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
