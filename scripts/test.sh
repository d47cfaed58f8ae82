#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs every Swift test, and checks
# the golden files in samples/expected/ against the independent Python oracle.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build
python3 samples/oracle.py --check
# Bounded fuzzing (docs/reliability.md): each libFuzzer target for TOKENTALLY_FUZZ_SECONDS
# (default 60; 0 skips) from its committed seeds; a crash, leak, timeout or disagreement
# between zlib and ISA-L fails the suite.
fuzz_seconds=${TOKENTALLY_FUZZ_SECONDS:-60}
if [ "$fuzz_seconds" -gt 0 ]; then
  fuzz_work=$(mktemp -d)
  trap 'rm -rf "$fuzz_work"' EXIT
  for target in decoder framer inflate measures; do
    # A fixed seed, so that a change is checked on the same path of inputs as the last one,
    # only as far as the time allows (TOKENTALLY_FUZZ_SEED; longer campaigns with random
    # seeds are `scripts/fuzz.sh TARGET SECONDS`).
    FUZZ_WORK="$fuzz_work" bash scripts/fuzz.sh "$target" "$fuzz_seconds" -seed="${TOKENTALLY_FUZZ_SEED:-1}" \
      2>"$fuzz_work/$target.log" \
      || { tail -n 40 "$fuzz_work/$target.log" >&2
           for input in "$fuzz_work/$target/artifacts"/*; do
             [ -f "$input" ] && echo "fuzz-$target input $(basename "$input") (base64): $(base64 -w0 "$input")" >&2
           done
           echo "fuzz-$target failed: make the input above a regression test (docs/reliability.md)" >&2; exit 1; }
    grep -E '^(Done|stat::number_of_executed_units)' "$fuzz_work/$target.log" | sed "s/^/fuzz-$target: /" || true
  done
fi
