#!/usr/bin/env python3
"""Summarises the timings of Benchmarks/compare.sh: medians, ratios to `gzip -dc`, MB/s, peak RSS.

    python3 Benchmarks/compare-report.py RESULTS_DIR

Reads RESULTS_DIR/times.tsv (round, case, tool, seconds, peak RSS in KB, CPU seconds) and
RESULTS_DIR/sizes.tsv (case, decompressed bytes, compressed bytes), prints a Markdown report.

- Speed relative to `gzip -dc` is gzip's time over the tool's, taken within each round (the
  runs are interleaved, so a noisy minute slows both) and then the median over rounds. A
  plain-text case is compared with `gzip -dc` on the gzip files of the same logs.
- MB/s is 10^6 bytes of decompressed log per second, from the median time.
- Best is the fastest round (the least disturbed on a shared machine), next to gzip's fastest.
- CPU s is user + system time (all threads), median: less disturbed by other load than wall time.
- Peak RSS is the largest of the rounds.
- jq ran on a slice; its time is extrapolated to the case's size (marked).
"""

import collections
import statistics
import sys

GZIP_CASE = {"gz-1": "gz-1", "gz-8": "gz-8", "plain-1": "gz-1", "plain-8": "gz-8"}


def human(size):
    """1073741824 → "1 GiB"."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} B"



def main():
    directory = sys.argv[1]
    times = collections.defaultdict(dict)  # (case, tool) -> round -> seconds
    rss = collections.defaultdict(int)
    cpu = collections.defaultdict(list)
    for line in open(f"{directory}/times.tsv"):
        round_, case, tool, seconds, kilobytes, *rest = line.rstrip("\n").split("\t")
        times[(case, tool)][int(round_)] = float(seconds)
        rss[(case, tool)] = max(rss[(case, tool)], int(kilobytes))
        if rest:
            cpu[(case, tool)].append(float(rest[0]))
    sizes = {}
    for line in open(f"{directory}/sizes.tsv"):
        case, plain, packed = line.split("\t")
        sizes[case] = (int(plain), int(packed))

    def median(case, tool):
        return statistics.median(times[(case, tool)].values())

    def paired_ratio(case, tool, reference_case, reference_tool):
        """Median over rounds of reference time / tool time (> 1: the tool is faster)."""
        mine, theirs = times[(case, tool)], times.get((reference_case, reference_tool), {})
        ratios = [theirs[r] / mine[r] for r in mine if r in theirs]
        return statistics.median(ratios) if ratios else None

    one = sizes["plain-1"][0]
    CASE_NAMES = {
        "gz-1": f"one {human(one)} .jsonl.gz",
        "gz-8": f"8 × {human(one / 8)} .jsonl.gz",
        "plain-1": f"one {human(one)} .jsonl",
        "plain-8": f"8 × {human(one / 8)} .jsonl",
    }
    rounds = max(len(v) for v in times.values())
    print(f"Medians of {rounds} interleaved rounds. Speed = `gzip -dc` time ÷ tool time, per round, median; "
          "best = the fastest round.\n")
    print("| input | tool | median s | speed vs `gzip -dc` | MB/s | best s | best vs best `gzip -dc` | CPU s | peak RSS MB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")

    def cpu_median(case, tool):
        return f"{statistics.median(cpu[(case, tool)]):.2f}" if cpu[(case, tool)] else ""
    order = ["gzip -dc", "pigz -dc", "cat", "tokentally --threads 1", "tokentally", "duckdb (2 threads)"]
    for case in ["gz-1", "gz-8", "plain-1", "plain-8"]:
        tools = [t for t in order if (case, t) in times] + sorted(
            t for (c, t) in times if c == case and t not in order and not t.startswith("jq"))
        for tool in tools:
            seconds = median(case, tool)
            ratio = paired_ratio(case, tool, GZIP_CASE[case], "gzip -dc")
            best = min(times[(case, tool)].values())
            best_gzip = min(times[(GZIP_CASE[case], "gzip -dc")].values())
            print(f"| {CASE_NAMES[case]} | {tool} | {seconds:.2f} | "
                  f"{ratio:.2f}× | {sizes[case][0] / seconds / 1e6:.0f} | {best:.2f} | {best_gzip / best:.2f}× | "
                  f"{cpu_median(case, tool)} | {rss[(case, tool)] / 1024:.1f} |")
    if ("jq-slice", "jq") in times:
        seconds = median("jq-slice", "jq")
        scale = sizes["plain-1"][0] / sizes["jq-slice"][0]
        extrapolated = seconds * scale
        reference = median("gz-1", "gzip -dc")
        print(f"| {CASE_NAMES['plain-1']} | **jq, extrapolated** from a {sizes['jq-slice'][0] / 2**20:.0f} MiB slice "
              f"({seconds:.2f} s × {scale:.1f}) | {extrapolated:.1f} | {reference / extrapolated:.3f}× | "
              f"{sizes['jq-slice'][0] / seconds / 1e6:.1f} | | | {cpu_median('jq-slice', 'jq')} | {rss[('jq-slice', 'jq')] / 1024:.1f} |")
    if ("gz-10", "tokentally") in times:
        seconds = median("gz-10", "tokentally")
        reference = median("gz-1", "gzip -dc") * sizes["gz-10"][0] / sizes["gz-1"][0]
        print(f"| 10 × the {human(one)} .gz, concatenated ({human(sizes['gz-10'][0])}; {sizes['gz-10'][1] / 1e9:.2f} GB of gzip) | tokentally "
              f"| {seconds:.2f} | {reference / seconds:.2f}× (vs 10 × the one-file gzip -dc median) | "
              f"{sizes['gz-10'][0] / seconds / 1e6:.0f} | | | {cpu_median('gz-10', 'tokentally')} | {rss[('gz-10', 'tokentally')] / 1024:.1f} |")

    print("\nRatios between tools (per round, median):\n")
    lines = []
    variants = sorted({t for (_, t) in times if t.startswith("tokentally")}, key=lambda t: (t != "tokentally --threads 1", t))
    for case in ["gz-1", "gz-8", "plain-1", "plain-8"]:
        for tool in variants:
            if (case, tool) not in times:
                continue
            parts = []
            for peer in ["pigz -dc", "duckdb (2 threads)"]:
                ratio = paired_ratio(case, tool, case, peer)
                if ratio:
                    parts.append(f"{ratio:.2f}× {peer.split(' ')[0]}")
            if parts:
                lines.append(f"- {CASE_NAMES[case]}, {tool}: " + ", ".join(parts))
    for tool in variants:
        for packed in ["gz", "plain"]:
            ratio = paired_ratio(f"{packed}-8", tool, f"{packed}-1", tool)
            if ratio:
                lines.append(f"- 8 files vs one file ({packed}), {tool}: {ratio:.2f}× the one-file speed")
    best_one = min(median("gz-1", t) for t in variants if ("gz-1", t) in times)
    if ("gz-8", "tokentally") in times:
        lines.append(f"- 8 files (.gz, default threads) vs the best one-file .gz run: "
                     f"{best_one / median('gz-8', 'tokentally'):.2f}× (ratio of medians)")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
