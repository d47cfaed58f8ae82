#!/usr/bin/env bash
# Stage 1 alone (read + inflate, output discarded) with each inflate backend, side by side
# with `gzip -dc` and `igzip -dc` on the same file, interleaved, in the same run. The
# machine is shared and noisy: compare the ratios within one run, not seconds across runs.
#
#   Benchmarks/inflate-stage1.sh [FILE.gz] [ROUNDS]     (defaults: /tmp/logs-1g.jsonl.gz, 5)
#
# Needs gzip, igzip (Debian: isal) and libisal-dev. The file, if missing, is made as in
# docs/benchmarks: tokentally-loggen --bytes 1G --seed 1 | gzip -6.
# Prints every timing, then the median of each and its ratio to gzip -dc, in MB/s of
# decompressed output.
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-/tmp/logs-1g.jsonl.gz}
rounds=${2:-5}

(cd Benchmarks && swift build -c release --product tokentally-loggen >/dev/null \
  && swift build -c release --product tokentally-inflate >/dev/null)
bin=Benchmarks/.build/release
if [ ! -f "$file" ]; then
  "$bin/tokentally-loggen" --bytes 1G --seed 1 | gzip -6 > "$file"
fi
out_bytes=$(gzip -dc "$file" | wc -c)

now() { date +%s.%N; }
declare -A times
run_tool() {  # label, command...
  local label=$1; shift
  local start end
  start=$(now); "$@" > /dev/null; end=$(now)
  times[$label]+="$(echo "$end - $start" | bc) "
}
run_stage1() {  # backend
  local line
  line=$("$bin/tokentally-inflate" "$file" "$1" | grep '^inflate-stage1 ')
  times["stage1-$1"]+="${line##*seconds=} "
}

for round in $(seq "$rounds"); do
  run_tool "gzip -dc" gzip -dc "$file"
  run_stage1 zlib
  run_tool "igzip -dc" igzip -dc "$file"
  run_stage1 isal
  echo "round $round done" >&2
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
base=$(echo "${times["gzip -dc"]}" | median)
printf '%-12s %10s %10s %8s   %s\n' "what" "median s" "MB/s" "ratio" "all runs (s)"
for k in "gzip -dc" stage1-zlib "igzip -dc" stage1-isal; do
  m=$(echo "${times[$k]}" | median)
  printf '%-12s %10.3f %10.0f %7.2fx   %s\n' "$k" "$m" "$(echo "$out_bytes / $m / 1000000" | bc -l)" "$(echo "$base / $m" | bc -l)" "${times[$k]}"
done
echo "file: $file ($(stat -c %s "$file") bytes, $out_bytes decompressed); $(nproc) CPUs: $(lscpu | sed -n 's/^Model name: *//p')"
echo "$(swift --version 2>&1 | head -1); $(gzip --version | head -1); $(igzip --version 2>&1 | head -1)"
