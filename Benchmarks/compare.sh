#!/usr/bin/env bash
# End-to-end comparison of tokentally with its peers on the same generated logs, side by side
# and interleaved (round-robin), with medians, ratios to `gzip -dc`, peak RSS, and a check that
# tokentally's CSV equals DuckDB's.
#
#   Benchmarks/compare.sh [-r ROUNDS] [-s SIZE] [--no-10g] [-- TOKENTALLY_FLAGS...]
#
#   -r ROUNDS   rounds of every (input, tool) pair, interleaved (default 3)
#   -s SIZE     size of the generated log (default 1G; the 8-file cases split it in 8)
#   --no-10g    skip the 10 GiB memory run
#   -- FLAGS    passed to every tokentally run, e.g. `-- --inflate isal`
#
# Environment: WORK (default /tmp/tokentally-bench) holds the generated logs (kept between
# runs; regenerated when the generator's output changes) and a results-DATE/ folder per run.
# TOKENTALLY=path/to/binary skips building tokentally (default: `swift build -c release`
# at the root, .build/release/tokentally).
#
# Per round, for each input — one SIZE .jsonl.gz (gzip -6), 8 files of SIZE/8 .jsonl.gz, and
# the same two as plain .jsonl — it runs: gzip -dc > /dev/null and pigz -dc > /dev/null (gzip
# inputs), cat > /dev/null (plain inputs), tokentally --threads 1, tokentally (default threads),
# DuckDB (Benchmarks/duckdb-summary.py, 2 threads); then jq on a slice of the plain log
# (Benchmarks/summary.jq; its time is extrapolated). The order of the tools rotates from one
# round to the next. Wall time by the shell's clock, peak RSS by /usr/bin/time -v.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

rounds=3
size=1G
ten=1
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    -r) rounds=$2; shift 2 ;;
    -s) size=$2; shift 2 ;;
    --no-10g) ten=0; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "usage: $0 [-r ROUNDS] [-s SIZE] [--no-10g] [-- TOKENTALLY_FLAGS...]" >&2; exit 64 ;;
  esac
done
work=${WORK:-/tmp/tokentally-bench}
mkdir -p "$work"

# --- Tools -------------------------------------------------------------------------------
need=()
for tool in gzip pigz jq; do command -v $tool >/dev/null || need+=($tool); done
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  echo "compare: installing ${need[*]}" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
python3 -c 'import duckdb' 2>/dev/null || { echo "compare: pip install duckdb" >&2; python3 -m pip install -q duckdb; }

echo "compare: building (release)" >&2
if [ -z "${TOKENTALLY:-}" ]; then
  bash scripts/ensure-deps.sh
  swift build -c release --product tokentally >/dev/null
  TOKENTALLY=$root/.build/release/tokentally
fi
(cd Benchmarks && swift build -c release --product tokentally-loggen >/dev/null)
loggen=$root/Benchmarks/.build/release/tokentally-loggen

# --- Inputs (generated once, kept) -----------------------------------------------------
# The folder's name carries a fingerprint of the generator's output, so a changed generator
# makes new logs instead of reusing old ones.
fingerprint=$("$loggen" --bytes 1M --seed 1 | md5sum | cut -c1-8)
data=$work/data-$size-seed1-$fingerprint
if [ ! -f "$data/complete" ]; then
  echo "compare: generating $size of logs into $data (once)" >&2
  rm -rf "$data"; mkdir -p "$data"/{one,plain8,gz8,ten,slice}
  "$loggen" --bytes "$size" --seed 1 --stats -o "$data/one/logs.jsonl" 2> "$data/loggen-stats.txt"
  # The 8-file cases are the same lines, cut in 8 at line boundaries: every case must give
  # the same CSV.
  split -n l/8 -d -a 1 --additional-suffix=.jsonl "$data/one/logs.jsonl" "$data/plain8/part-"
  gzip -6 -k "$data/one/logs.jsonl" &
  for part in "$data"/plain8/part-*.jsonl; do gzip -6 -c "$part" > "$data/gz8/$(basename "$part").gz"; done
  wait
  # 10 × the gzip file: a valid multi-member gzip of 10 × SIZE, for memory flatness.
  for _ in 1 2 3 4 5 6 7 8 9 10; do cat "$data/one/logs.jsonl.gz"; done > "$data/ten/logs.jsonl.gz"
  # jq's slice: the first 8192 lines.
  head -n 8192 "$data/one/logs.jsonl" > "$data/slice/logs.jsonl"
  touch "$data/complete"
fi

declare -A files
files[gz-1]="$data/one/logs.jsonl.gz"
files[gz-8]=$(ls "$data"/gz8/part-*.jsonl.gz | tr '\n' ' ')
files[plain-1]="$data/one/logs.jsonl"
files[plain-8]=$(ls "$data"/plain8/part-*.jsonl | tr '\n' ' ')
files[gz-10]="$data/ten/logs.jsonl.gz"
files[jq-slice]="$data/slice/logs.jsonl"

results=$work/results-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$results/csv"
{
  plain1=$(stat -c %s "$data/one/logs.jsonl"); gz1=$(stat -c %s "$data/one/logs.jsonl.gz")
  gz8=$(cat "$data"/gz8/*.gz | wc -c)
  printf 'gz-1\t%s\t%s\ngz-8\t%s\t%s\nplain-1\t%s\t%s\nplain-8\t%s\t%s\n' \
    "$plain1" "$gz1" "$plain1" "$gz8" "$plain1" "$plain1" "$plain1" "$plain1"
  printf 'gz-10\t%s\t%s\n' $((plain1 * 10)) $((gz1 * 10))
  printf 'jq-slice\t%s\t%s\n' "$(stat -c %s "$data/slice/logs.jsonl")" "$(stat -c %s "$data/slice/logs.jsonl")"
} > "$results/sizes.tsv"

# --- Measuring -----------------------------------------------------------------------------
# measure ROUND CASE TOOL COMMAND...: runs the command with stdout to /dev/null, appends
# "round case tool seconds peak-RSS-KB CPU-seconds" to times.tsv. tokentally's exit code 2 is expected
# (the logs have bad lines on purpose); any other failure stops the comparison.
measure() {
  local round=$1 case=$2 tool=$3; shift 3
  local log=$results/time.log start end status=0
  start=$EPOCHREALTIME
  /usr/bin/time -v -o "$log" "$@" > /dev/null || status=$?
  end=$EPOCHREALTIME
  if [ $status -ne 0 ] && ! { [[ $tool == tokentally* ]] && [ $status -eq 2 ]; }; then
    echo "compare: $tool on $case failed with exit code $status: $*" >&2; exit 1
  fi
  local seconds kilobytes cpu
  seconds=$(python3 -c "print(f'{$end - $start:.3f}')")
  kilobytes=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  cpu=$(awk -F': ' '/User time|System time/ {sum += $2} END {printf "%.2f", sum}' "$log")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$case" "$tool" "$seconds" "$kilobytes" "$cpu" >> "$results/times.tsv"
  printf '  %-8s %-24s %8.2f s %8.1f MB\n' "$case" "$tool" "$seconds" "$(awk -v kb="$kilobytes" 'BEGIN {print kb / 1024}')" >&2
}


# A tool's name as part of a file name: "tokentally --threads 1" → "tokentally_--threads_1".
slug() { echo "${1// /_}"; }

run_tool() {  # ROUND CASE TOOL
  local round=$1 case=$2 tool=$3
  # shellcheck disable=SC2206
  local inputs=(${files[$case]})
  case $tool in
    "gzip -dc") measure "$round" "$case" "$tool" gzip -dc "${inputs[@]}" ;;
    "pigz -dc") measure "$round" "$case" "$tool" pigz -dc "${inputs[@]}" ;;
    "igzip -dc") measure "$round" "$case" "$tool" igzip -dc "${inputs[@]}" ;;
    cat) measure "$round" "$case" "$tool" cat "${inputs[@]}" ;;
    tokentally*)
      # "tokentally FLAGS…": the flags of this variant, then the ones given after --.
      # shellcheck disable=SC2206
      local flags=(${tool#tokentally})
      measure "$round" "$case" "$tool" "$TOKENTALLY" summarize "${inputs[@]}" -q ${flags[@]+"${flags[@]}"} \
        -o "$results/csv/$case.$(slug "$tool").csv" ${extra[@]+"${extra[@]}"} ;;
    "duckdb (2 threads)")
      measure "$round" "$case" "$tool" python3 "$root/Benchmarks/duckdb-summary.py" --threads 2 \
        -o "$results/csv/$case.duckdb.csv" "${inputs[@]}" ;;
    jq) measure "$round" "$case" "$tool" sh -c 'jq -nrR -f "$0" "$1" > "$2"' \
          "$root/Benchmarks/summary.jq" "${inputs[0]}" "$results/csv/$case.jq.csv" ;;
  esac
}

{
  echo "date: $(date -u +%FT%TZ)"
  echo "tokentally: $TOKENTALLY ($("$TOKENTALLY" --version 2>&1)); flags: ${extra[*]:-(none)}"
  echo "git: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- Sources Package.swift || echo ' (+ uncommitted changes)')"
  echo "swift: $(swift --version 2>&1 | head -1)"
  echo "gzip: $(gzip --version | head -1); pigz: $(pigz --version 2>&1); igzip: $(igzip --version 2>&1 | head -1 || echo none); jq: $(jq --version)"
  echo "duckdb: $(python3 -c 'import duckdb; print(duckdb.__version__)'); python: $(python3 --version 2>&1)"
  echo "machine: $(nproc) cores, $(lscpu | awk -F': +' '/Model name/ {print $2}'), $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -srm)"
  echo "inputs: $data"; sed 's/^/  /' "$data/loggen-stats.txt"
  echo "rounds: $rounds"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$results/setup.txt" >&2

echo "compare: warming the page cache" >&2
cat "$data"/one/* "$data"/gz8/* "$data"/plain8/* "$data"/slice/* > /dev/null

# The tools of each round. A tool named "tokentally FLAGS…" is a tokentally variant: it runs
# with those flags, writes its own CSV, and is checked like the others. To compare another
# variant, add it here. Plain "tokentally" inflates with ISA-L when it is installed (the
# default, --inflate auto); the zlib variants measure the baseline, and igzip -dc (ISA-L's
# own gunzip, Debian package isal) the ceiling with ISA-L.
tokentally_variants=("tokentally --threads 1" "tokentally")
zlib_variants=("tokentally --inflate zlib --threads 1" "tokentally --inflate zlib")
gz_tools=("gzip -dc" "pigz -dc" "${zlib_variants[@]}" "${tokentally_variants[@]}" "duckdb (2 threads)")
if command -v igzip > /dev/null; then gz_tools=("igzip -dc" "${gz_tools[@]}"); fi
plain_tools=("cat" "${tokentally_variants[@]}" "duckdb (2 threads)")
for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  for case in gz-1 gz-8 plain-1 plain-8; do
    if [[ $case == gz-* ]]; then tools=("${gz_tools[@]}"); else tools=("${plain_tools[@]}"); fi
    # Rotate the order each round, so no tool always runs right after the same neighbour.
    count=${#tools[@]}
    for i in $(seq 0 $((count - 1))); do
      run_tool "$round" "$case" "${tools[$(((i + round) % count))]}"
    done
  done
  run_tool "$round" jq-slice jq
done

if [ "$ten" -eq 1 ]; then
  echo "10 × the gzip file, concatenated: tokentally once, for memory" >&2
  run_tool 1 gz-10 tokentally
fi

# --- Checks --------------------------------------------------------------------------------
diffcsv() { python3 "$root/Benchmarks/csv-diff.py" "$@"; }
{
  echo "## Checks"
  echo
  for case in gz-1 gz-8 plain-1 plain-8; do
    if [[ $case == gz-* ]]; then tools=("${gz_tools[@]}"); else tools=("${plain_tools[@]}"); fi
    duck=$results/csv/$case.duckdb.csv
    for tool in "${tools[@]}"; do
      [[ $tool == tokentally* ]] || continue
      csv=$results/csv/$case.$(slug "$tool").csv
      if cmp -s "$csv" "$duck"; then
        echo "- $case: $tool: CSV byte-identical to DuckDB's ($(($(wc -l < "$duck") - 1)) rows)"
      else
        echo "- $case: $tool: CSV DIFFERS from DuckDB's: $(diffcsv "$duck" "$csv" 2>&1 | head -5 | tr '\n' ' ')"
      fi
    done
  done
  same=yes
  for case in gz-8 plain-1 plain-8; do cmp -s "$results/csv/gz-1.tokentally.csv" "$results/csv/$case.tokentally.csv" || same=no; done
  echo "- one file vs 8 files, gzip vs plain: tokentally's four CSVs identical: $same"
  if [ -f "$results/csv/gz-10.tokentally.csv" ]; then
    echo "- 10 × the log: $(diffcsv "$results/csv/gz-1.tokentally.csv" "$results/csv/gz-10.tokentally.csv" --times 10 2>&1 | head -3 | tr '\n' ' ') (every measure = 10 × the one-file run's)"
  fi
  "$TOKENTALLY" summarize "${files[jq-slice]}" -q -o "$results/csv/jq-slice.tokentally.csv" || true
  echo "- jq slice vs tokentally on the slice: $(diffcsv "$results/csv/jq-slice.tokentally.csv" "$results/csv/jq-slice.jq.csv" --cost-tolerance 1e-9 2>&1 | head -3 | tr '\n' ' ') (cost within 10⁻⁹ relative: jq sums doubles)"
} > "$results/checks.md"

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$results/setup.txt" >&2
python3 "$root/Benchmarks/compare-report.py" "$results" > "$results/report.md"
echo
cat "$results/setup.txt" "$results/report.md"
echo
cat "$results/checks.md"
echo
echo "compare: results in $results" >&2
