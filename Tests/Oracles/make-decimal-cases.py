#!/usr/bin/env python3
"""Oracle for ExactDecimalTests: writes DecimalCases.swift from Python's `decimal` module.

Run from anywhere:  python3 Tests/Oracles/make-decimal-cases.py
The output is committed; re-running it must reproduce the same file (fixed seed).

The rules this oracle encodes are PRODUCT.md's number rules, written down independently of
the Swift code:
  * only RFC 8259 number syntax is a number (checked with a regular expression);
  * zero in any spelling (`0`, `-0`, `0.0e5`) is the integer 0, never negative;
  * any other value below zero is negative;
  * a value whose *exact* value exceeds the maximum (2^63-1 unless stated) is out of range;
  * otherwise the value is rounded half-to-even to 18 decimals, and it is fractional when its
    exact value is not a whole number (`1e-400` is fractional and rounds to 0).
Sums add the already-rounded values exactly; a whole part reaching 2^128 is an overflow.
"""
import decimal
import os
import random
import re
from decimal import Decimal

INT64_MAX = 2**63 - 1
UINT64_MAX = 2**64 - 1
UINT128_MAX = 2**128 - 1
JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")
CTX = decimal.Context(prec=100_000, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                      rounding=decimal.ROUND_HALF_EVEN, traps=[decimal.InvalidOperation])
QUANTUM = Decimal(1).scaleb(-18, context=CTX)


def oracle(text, maximum=INT64_MAX):
    """('invalid',) | ('negative',) | ('outOfRange',) | ('value', whole, fraction, is_fractional)"""
    if not JSON_NUMBER.match(text):
        return ("invalid",)
    exact = Decimal(text)  # construction from a string is exact
    if exact.is_zero():
        return ("value", 0, 0, False)
    if exact < 0:
        return ("negative",)
    if exact > maximum:
        return ("outOfRange",)
    rounded = exact.quantize(QUANTUM, context=CTX)
    whole = int(rounded)  # truncation = floor for non-negative values
    fraction = int((rounded - whole).scaleb(18, context=CTX))
    is_fractional = exact != exact.to_integral_value(context=CTX)
    return ("value", whole, fraction, is_fractional)


def plain(whole, fraction):
    """Decimal text as ExactDecimal.description promises: no exponent, no trailing zeros."""
    if fraction == 0:
        return str(whole)
    return f"{whole}.{fraction:018d}".rstrip("0")


FIXED = [
    # The brief's list.
    "1e3", "12.0", "-0", "-5", "0.00022500000000000002", "4.05e-06", "1e-400", "1e400",
    "9223372036854775807", "9223372036854775808", "9223372036854775807.5",
    # Zero in every spelling.
    "0", "0.0", "-0.0", "0e5", "0E-5", "-0e400", "0.000000000000000000000", "-0.0e-9",
    # Integers around the fast path (18 digits) and Int64.
    "1", "9", "10", "1321", "999999999999999999", "1000000000000000000", "1234567890123456789",
    "9223372036854775806", "922337203685477580.7e1", "9.223372036854775807e18", "9.223372036854775808e18",
    "92233720368547758070e-1", "92233720368547758080e-1", "9223372036854775807.000000000000000000",
    "9223372036854775807.0000000000000000001", "9223372036854775806.9999999999999999999",
    "9223372036854775806.99999999999999999949", "9223372036854775806.9999999999999999995",
    "99999999999999999999", "18446744073709551616", "100000000000000000000000000000",
    # Exponents.
    "1E3", "1e+3", "1E+03", "1e0", "1e-0", "5e-1", "25e-2", "1.5e1", "1.25e1", "0.5e1", "0.05e2",
    "123456789e-9", "1e18", "1e19", "1e-18", "1e-19", "5e-19", "15e-19", "25e-19", "35e-19", "6e-19",
    "1e-999999999", "1e-9999999999999", "1e999999999", "1e9999999999999", "0.0000001e7",
    "1000000000000000000000e-3", "1e+0000000000000000000000000000018",
    # Fractions and >18 fraction digits (half-even at the 19th decimal).
    "1321.0", "1321.53", "0.1", "0.5", "0.123456789012345678", "0.1234567890123456789",
    "0.1234567890123456785", "0.1234567890123456775", "0.12345678901234567750000000001",
    "0.0000000000000000005", "0.0000000000000000015", "0.00000000000000000050000001",
    "0.9999999999999999995", "0.9999999999999999994", "1.9999999999999999999", "2.0000000000000000005",
    "0.000000000000000000499999", "3.14159265358979323846264338327950288",
    "0.0123", "0.000001", "1.5e-05", "2.9999999999999997e-05",
    # Negatives of every kind.
    "-1", "-0.5", "-1e-400", "-1e400", "-9223372036854775808", "-0.0000000000000000000001",
    # Not JSON numbers.
    "", "-", "+5", "012", "-012", "00", "01.5", "1.", ".5", "-.5", "1e", "1e+", "1E-", "NaN",
    "-NaN", "Infinity", "-Infinity", "inf", "0x10", "1_000", "1,5", " 1", "1 ", "1.5.5", "1e5e5",
    "1e5.5", "--1", "e5", "١", "1.e5", "0.e1", "12a", "-a",
]

# Cases with a maximum other than Int64.max (the epoch parser uses UInt64.max).
FIXED_UINT64 = [
    "18446744073709551615", "18446744073709551616", "10000000000000000000", "9999999999999999999",
    "18446744073709551615.5", "18446744073709551614.99999999999999999999", "1.8446744073709551615e19",
    "1.8446744073709551616e19", "184467440737095516150e-1", "1e19", "1e20", "1764321302123456789",
    "1764321302123456789.9",
]
FIXED_SMALL_MAX = [("100", 100), ("100.5", 100), ("101", 100), ("99.99999999999999999999", 100),
                   ("1e2", 100), ("0", 0), ("0.1", 0), ("1", 0)]


def random_cases(rng):
    cases = []
    for _ in range(120):  # integers of every length, some above Int64.max
        digits = rng.randint(1, 21)
        cases.append(str(rng.randint(10 ** (digits - 1) if digits > 1 else 0, 10**digits - 1)))
    for _ in range(120):  # plain fractions, up to 30 fraction digits
        whole = rng.choice([0, rng.randint(0, 999), rng.randint(0, 10**12), rng.randint(0, INT64_MAX)])
        frac_digits = rng.randint(1, 30)
        frac = "".join(rng.choice("0123456789") for _ in range(frac_digits))
        cases.append(f"{whole}.{frac}")
    for _ in range(100):  # exponent forms, as JSON serialisers write them
        mantissa = rng.randint(1, 10**rng.randint(1, 20))
        text = str(mantissa)
        if rng.random() < 0.6 and len(text) > 1:
            text = text[0] + "." + text[1:]
        e = rng.choice("eE")
        sign = rng.choice(["", "+", "-"])
        exponent = rng.choice([rng.randint(0, 25), rng.randint(0, 400)])
        cases.append(f"{text}{e}{sign}{exponent}")
    for _ in range(60):  # costs as Python floats print them
        cases.append(repr(rng.random() * 10 ** rng.randint(-9, 2)))
    for _ in range(30):  # negatives
        cases.append("-" + rng.choice([str(rng.randint(1, 10**9)), f"0.{rng.randint(1, 999):03d}", "1e-30"]))
    for _ in range(30):  # halfway and near-halfway at the 19th decimal
        kept = "".join(rng.choice("0123456789") for _ in range(18))
        tail = rng.choice(["5", "50", "500000", "5000001", "49999", "51", "4", "6"])
        cases.append(f"{rng.randint(0, 99)}.{kept}{tail}")
    return cases


def random_sums(rng):
    """Sequences of JSON number texts (all valid, non-negative, in range) and their exact sum."""
    sums = []
    for _ in range(60):
        terms = []
        for _ in range(rng.randint(2, 12)):
            kind = rng.random()
            if kind < 0.4:
                terms.append(str(rng.randint(0, 10**rng.randint(1, 18))))
            elif kind < 0.8:
                terms.append(repr(rng.random() * 10 ** rng.randint(-8, 3)))
            else:
                frac = "".join(rng.choice("0123456789") for _ in range(rng.randint(15, 24)))
                terms.append(f"{rng.randint(0, 10**6)}.{frac}")
        sums.append(terms)
    return sums


def swift_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def swift_expected(result):
    if result[0] != "value":
        return "." + result[0]
    _, whole, fraction, is_fractional = result
    return (f'.value(whole: "{whole}", fraction: {fraction}, isFractional: {str(is_fractional).lower()}, '
            f'text: "{plain(whole, fraction)}")')


def main():
    rng = random.Random(20261128)
    lines = [
        "// Generated by make-decimal-cases.py from Python's `decimal` module. Do not edit;",
        "// re-run the script instead (fixed seed, so the output is reproducible).",
        "",
        "/// Parse cases: JSON number text, maximum, expected result per the Python oracle.",
        "let generatedParseCases: [DecimalParseCase] = [",
    ]
    seen = set()
    def emit(text, maximum):
        if (text, maximum) in seen:
            return
        seen.add((text, maximum))
        lines.append(f"    DecimalParseCase({swift_string(text)}, maximum: {maximum}, "
                     f"{swift_expected(oracle(text, maximum))}),")
    for text in FIXED + random_cases(rng):
        emit(text, INT64_MAX)
    for text in FIXED_UINT64:
        emit(text, UINT64_MAX)
    for text, maximum in FIXED_SMALL_MAX:
        emit(text, maximum)
    lines.append("]")
    lines.append("")
    lines.append("/// Sum cases: JSON number texts added in order; the exact sum of their rounded values.")
    lines.append("let generatedSumCases: [DecimalSumCase] = [")
    sums = random_sums(rng)
    for terms in sums:
        total = Decimal(0)
        for term in terms:
            result = oracle(term)
            assert result[0] == "value", term
            total = CTX.add(total, CTX.add(Decimal(result[1]), Decimal(result[2]).scaleb(-18, context=CTX)))
        whole = int(total)
        fraction = int((total - whole).scaleb(18, context=CTX))
        quoted = ", ".join(swift_string(t) for t in terms)
        lines.append(f'    DecimalSumCase([{quoted}], whole: "{whole}", fraction: {fraction}, '
                     f'text: "{plain(whole, fraction)}"),')
    lines.append("]")
    lines.append("")
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "TallyPrimitivesTests", "DecimalCases.swift")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print(f"wrote {out}: {len(seen)} parse cases, {len(sums)} sum cases")


if __name__ == "__main__":
    main()
