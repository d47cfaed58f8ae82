#!/usr/bin/env bash
# Runs one libFuzzer target for a while, with the address sanitizer:
#
#   scripts/fuzz.sh decoder|framer|inflate|measures SECONDS [LIBFUZZER_FLAG...]
#
# decoder: stage 3, any bytes as one line; framer: stage 2, any bytes in chunks; inflate:
# stage 1, any bytes as a .gz input (zlib and, when installed, ISA-L must agree); measures:
# any bytes as a --state partial's stored measures (--stats distributions included). The targets
# live in Fuzz/ (a package of their own); their seed corpora in Fuzz/Corpus/TARGET. New inputs
# go to $FUZZ_WORK/TARGET/corpus (default /tmp/tokentally-fuzz), a crash to
# $FUZZ_WORK/TARGET/artifacts, and the script then exits non-zero: make the input a test.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-}
seconds=${2:-60}
case $target in
  decoder|framer|inflate|measures) ;;
  *) echo "usage: scripts/fuzz.sh decoder|framer|inflate|measures SECONDS" >&2; exit 64 ;;
esac

flags=(-c release --package-path Fuzz --product "fuzz-$target"
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld
       -Xcc -fsanitize=fuzzer-no-link,address)
swift build "${flags[@]}" >&2
binary=$(swift build "${flags[@]}" --show-bin-path)/fuzz-$target

work=${FUZZ_WORK:-/tmp/tokentally-fuzz}/$target
mkdir -p "$work/corpus" "$work/artifacts"
exec "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "${@:3}" "$work/corpus" "Fuzz/Corpus/$target"
