#!/usr/bin/env python3
"""Oracle for TimestampParserTests: writes TimestampCases.swift from Python's `datetime`.

Run from anywhere:  python3 Tests/Oracles/make-timestamp-cases.py
The output is committed; re-running it reproduces the same file (fixed seed).

Each case is a JSON value (a string or a number, as it would appear in a log line) and the
Unix seconds it denotes, or nil when it is no usable time. The rules (PRODUCT.md, "Record
shapes"), written down here independently of the Swift code:
  * RFC 3339 / ISO 8601 text: `YYYY-MM-DD`, then optionally `T`/`t`/space and `HH:MM[:SS[.frac]]`,
    then optionally `Z`/`z` or an offset `±HH:MM`, `±HHMM`, `±HH`; no offset means UTC;
    the fraction is dropped (times are floored to the second);
  * epoch numbers (or strings of digits and dots) by magnitude: below 10^11 seconds, below
    10^14 milliseconds, below 10^17 microseconds, else nanoseconds, floored to the second;
    negative numbers, and numbers beyond 2^64-1, are not times;
  * only instants from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z are usable.
"""
import datetime
import os
import random
from decimal import Decimal

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
EARLIEST = -62135596800
LATEST = 253402300799


def seconds_of(dt_naive, offset_minutes):
    """Unix seconds of a wall-clock time at a UTC offset, without datetime's range limits."""
    days = (dt_naive.date() - datetime.date(1970, 1, 1)).days
    local = days * 86400 + dt_naive.hour * 3600 + dt_naive.minute * 60 + dt_naive.second
    utc = local - offset_minutes * 60
    return utc if EARLIEST <= utc <= LATEST else None


def epoch_of(text):
    value = Decimal(text)
    if value < 0:
        return None if not value.is_zero() else 0
    if value > 2**64 - 1:
        return None
    whole = int(value)  # floor for non-negative
    if whole < 10**11:
        seconds = whole
    elif whole < 10**14:
        seconds = whole // 1000
    elif whole < 10**17:
        seconds = whole // 10**6
    else:
        seconds = whole // 10**9
    return seconds if seconds <= LATEST else None


def offset_text(minutes, style):
    sign = "-" if minutes < 0 else "+"
    h, m = divmod(abs(minutes), 60)
    if style == "colon":
        return f"{sign}{h:02d}:{m:02d}"
    if style == "compact":
        return f"{sign}{h:02d}{m:02d}"
    return f"{sign}{h:02d}"  # hours only; minutes must be 0


def random_instant(rng):
    if rng.random() < 0.6:
        start, end = datetime.datetime(1990, 1, 1), datetime.datetime(2060, 1, 1)
    else:
        start, end = datetime.datetime(1, 1, 1), datetime.datetime(9999, 12, 31, 23, 59, 59)
    span = int((end - start).total_seconds())
    return start + datetime.timedelta(seconds=rng.randint(0, span))


def main():
    rng = random.Random(1764321302)
    cases = []  # (json_value_text, expected or None)

    for _ in range(250):
        dt = random_instant(rng)
        sep = rng.choice(["T", "T", "t", " "])
        frac = rng.choice(["", "", ".5", ".123", ".847371", ".123456789", ",25", ".0"])
        style = rng.choice(["Z", "z", "colon", "compact", "hours", "naive"])
        if style in ("Z", "z"):
            suffix, offset = style, 0
        elif style == "naive":
            suffix, offset = "", 0
        elif style == "hours":
            offset = rng.randint(-23, 23) * 60
            suffix = offset_text(offset, style)
        else:
            offset = rng.randint(-(23 * 60 + 59), 23 * 60 + 59)
            suffix = offset_text(offset, style)
        text = f"{dt:%Y-%m-%d}{sep}{dt:%H:%M:%S}{frac}{suffix}"
        if dt.year < 1000:
            text = f"{dt.year:04d}" + text[text.index("-"):]
        cases.append((f'"{text}"', seconds_of(dt, offset)))

    # Seconds omitted, and dates alone (midnight UTC).
    for _ in range(30):
        dt = random_instant(rng).replace(second=0)
        cases.append((f'"{dt.year:04d}-{dt:%m-%dT%H:%M}Z"', seconds_of(dt, 0)))
        day = dt.replace(hour=0, minute=0)
        cases.append((f'"{day.year:04d}-{day:%m-%d}"', seconds_of(day, 0)))

    # The edges of the usable range, and offsets that push past them.
    edges = [
        ('"0001-01-01T00:00:00Z"', EARLIEST), ('"9999-12-31T23:59:59Z"', LATEST),
        ('"0001-01-01T00:00:00+00:01"', None), ('"0001-01-01T00:00:00-00:01"', EARLIEST + 60),
        ('"9999-12-31T23:59:59-00:01"', None), ('"9999-12-31T23:59:59+00:01"', LATEST - 60),
        ('"0000-12-31T23:59:59Z"', None), ('"1970-01-01T00:00:00Z"', 0),
        ('"1969-12-31T23:59:59.999Z"', -1),
    ]
    cases += edges

    # Epoch numbers, as numbers and as strings.
    for _ in range(120):
        dt = random_instant(rng).replace(tzinfo=datetime.timezone.utc)
        seconds = int((dt - EPOCH).total_seconds())
        if seconds < 0:
            continue
        unit = rng.choice([1, 1000, 10**6, 10**9])
        value = seconds * unit + rng.randint(0, unit - 1)
        text = str(value)
        if rng.random() < 0.2:
            text += "." + str(rng.randint(0, 999))
        cases.append((text if rng.random() < 0.7 else f'"{text}"', epoch_of(text)))
    for text in ["0", "-0", "1", "99999999999", "100000000000", "99999999999999", "100000000000000",
                 "99999999999999999", "100000000000000000", "1764321302", "1764321302.999",
                 "1764321302123", "1764321302123456", "1764321302123456789", "1.764321302e9",
                 "1.764321302123e12", "253402300799", "253402300800", "253402300799999",
                 "253402300800000", "18446744073709551615", "18446744073709551616", "1e30",
                 "-1", "-1764321302"]:
        cases.append((text, epoch_of(text)))

    lines = [
        "// Generated by make-timestamp-cases.py from Python's `datetime`. Do not edit;",
        "// re-run the script instead (fixed seed, so the output is reproducible).",
        "",
        "/// A JSON value (string or number) and the Unix seconds it denotes, or nil.",
        "let generatedTimestampCases: [TimestampCase] = [",
    ]
    seen = set()
    for value, expected in cases:
        if value in seen:
            continue
        seen.add(value)
        swift_value = value.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'    TimestampCase("{swift_value}", {"nil" if expected is None else expected}),')
    lines.append("]")
    lines.append("")
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "UsageDecodingTests", "TimestampCases.swift")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print(f"wrote {out}: {len(seen)} cases")


if __name__ == "__main__":
    main()
