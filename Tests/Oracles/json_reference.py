#!/usr/bin/env python3
"""The reference for the scanner's differential test (DifferentialScannerTests.swift).

Reads lines of bytes (each a candidate JSON document, without its `\\n`) and prints, per line,
what Python's `json` module makes of it under tokentally's rules:

    ok <root kind> <path>=<value> ...      the document is valid JSON
    bad                                    it is not (invalid UTF-8, invalid JSON, NaN, …)

Values are given for the paths in PATHS (object keys only), present ones only:
`s:<hex of the UTF-8 bytes>` for a string (`s:?` when it holds a lone surrogate), `n:<the
number's exact text>`, `t`, `f`, `z` (null), `o` (object), `a` (array). Duplicate keys: the
last one wins, as in Python, jq and Go. Standard library only.
"""

import json
import sys

PATHS = [["a"], ["a", "b"], ["a", "b", "c"], ["k"], ["usage", "input_tokens"], ["\u00e9"], ['x"y'], ["a", "k"]]


class Rejected(Exception):
    pass


def reject_constant(name):
    raise Rejected(name)  # NaN, Infinity, -Infinity are not JSON


class Number:
    """A number kept as its exact text."""

    def __init__(self, text):
        self.text = text


def describe(value):
    if isinstance(value, Number):
        return "n:" + value.text
    if value is True:
        return "t"
    if value is False:
        return "f"
    if value is None:
        return "z"
    if isinstance(value, dict):
        return "o"
    if isinstance(value, list):
        return "a"
    try:
        return "s:" + value.encode("utf-8").hex()
    except UnicodeEncodeError:
        return "s:?"


def main():
    sys.setrecursionlimit(100000)
    decoder = json.JSONDecoder(parse_float=Number, parse_int=Number, parse_constant=reject_constant)
    out = []
    with open(sys.argv[1], "rb") as handle:
        for raw in handle.read().split(b"\n")[:-1]:
            try:
                text = raw.decode("utf-8")
                if text.startswith("\ufeff"):
                    raise Rejected("bom")
                value = decoder.decode(text)
            except (ValueError, Rejected, RecursionError):
                out.append("bad")
                continue
            fields = ["ok", describe(value)[:1]]
            for path in PATHS:
                node = value
                for key in path:
                    if not isinstance(node, dict) or key not in node:
                        break
                    node = node[key]
                else:
                    fields.append("/".join(path).encode("utf-8").hex() + "=" + describe(node))
            out.append(" ".join(fields))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
