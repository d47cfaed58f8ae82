#!/usr/bin/env bash
# Peak memory per group: a log of N requests with N distinct API keys (one group each with
# --by day,key), summarised with 1 and 2 decoding threads, and with --stats. Peak RSS from
# /usr/bin/time -v; memory must grow with the groups, not with the input.
#
#   Benchmarks/many-groups.sh [N]      e.g. Benchmarks/many-groups.sh 1000000
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
work=${WORK:-/tmp/tokentally-bench}
mkdir -p "$work"
log="$work/keys-$count.jsonl"

swift build -c release --product tokentally >/dev/null
bin=.build/release/tokentally
if [ ! -f "$log" ]; then
  python3 - "$count" "$log" <<'PY'
import sys
count, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as out:
    for i in range(count):
        out.write('{"timestamp":"2026-11-28T%02d:00:00Z","api_key":"key-%07d","model":"m/%d",'
                  '"usage":{"input_tokens":%d,"output_tokens":%d}}\n' % (i % 24, i, i % 7, i % 1000, i % 100))
PY
fi
echo "input: $log ($(wc -c < "$log") bytes, $count distinct keys)"
for options in "--threads 1" "--threads 2" "--threads 1 --stats" "--threads 2 --stats"; do
  stats=$(mktemp)
  # shellcheck disable=SC2086
  /usr/bin/time -v "$bin" summarize "$log" --by day,key $options -q -o "$work/keys.csv" 2>"$stats" || true
  rss=$(awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2}' "$stats")
  wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$stats")
  rows=$(($(wc -l < "$work/keys.csv") - 1))
  printf '%-22s rows %-8s peak RSS %6d MB  (%d bytes per group)  wall %s\n' \
    "$options" "$rows" $((rss / 1024)) $((rss * 1024 / rows)) "$wall"
  rm -f "$stats"
done
