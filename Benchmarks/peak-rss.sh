#!/usr/bin/env bash
# Peak memory and wall time of tokentally on a generated log, side by side with `gzip -dc`
# on the same file in the same run (the machine is shared: compare ratios, not seconds).
#
#   Benchmarks/peak-rss.sh [SIZE] [RUNS]      e.g. Benchmarks/peak-rss.sh 1G 3
#
# Builds the release binary, generates SIZE of logs (tokentally-loggen, seed 1) once into $WORK (default
# /tmp/tokentally-bench), compresses them with gzip -6, then for each of RUNS rounds runs,
# interleaved: gzip -dc > /dev/null; tokentally on the .gz; tokentally on the plain file.
# Prints wall seconds and peak RSS (from /usr/bin/time -v) of each.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1G}
runs=${2:-3}
work=${WORK:-/tmp/tokentally-bench}
mkdir -p "$work"
plain="$work/loggen-$size.jsonl"
gz="$plain.gz"

swift build -c release --product tokentally >/dev/null
bin=.build/release/tokentally
(cd Benchmarks && swift build -c release --product tokentally-loggen >/dev/null)
if [ ! -f "$gz" ]; then
  Benchmarks/.build/release/tokentally-loggen --bytes "$size" --seed 1 -o "$plain"
  gzip -6 -k "$plain"
fi

measure() {  # label, command...
  local label=$1; shift
  local log; log=$(mktemp)
  /usr/bin/time -v "$@" > /dev/null 2> "$log" || true
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = 0; for (i = 1; i <= length(t); i++) s = s * 60 + t[i]; print s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  printf '%-34s %8.2f s %10d KB\n' "$label" "$wall" "$rss"
  rm -f "$log"
}

echo "input: $(stat -L -c %s "$plain") bytes plain, $(stat -L -c %s "$gz") bytes gzip -6; $(nproc) cores; $(swift --version 2>&1 | head -1)"
for round in $(seq "$runs"); do
  echo "round $round"
  measure "gzip -dc" gzip -dc "$gz"
  measure "tokentally (.gz)" "$bin" summarize "$gz" -q
  measure "tokentally (.gz, --threads 1)" "$bin" summarize "$gz" -q --threads 1
  measure "tokentally (plain)" "$bin" summarize "$plain" -q
done
