#!/bin/sh
# Makes the gzip fixtures for LogInputTests with the real tools, deterministically.
#
#   cd Tests/LogInputTests/Fixtures && sh make-fixtures.sh
#
# Needs gzip, pigz, bgzip (package tabix), bzip2, xz and zstd. Made with gzip 1.12,
# pigz 2.6, bgzip (htslib) 1.16, bzip2 1.0.8, xz 5.4, zstd 1.5 on Debian. Other versions may
# compress differently; the expectations in InputReaderTests.swift (sizes, offsets, member
# counts) are written for the committed files, so commit regenerated files only together with
# updated expectations. The plain content is generated here and committed too: the tests take
# every expected decompressed byte from it, never from the code under test.
set -eu
cd "$(dirname "$0")"
export LC_ALL=C TZ=UTC

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- Plain content -------------------------------------------------------------------------
# small.jsonl: 40 lines, 3337 bytes. big.jsonl: 1000 lines, 85521 bytes (more than one BGZF
# block of 65280 bytes and more than two pigz blocks of 32 KiB).
awk 'BEGIN { for (i = 1; i <= 40; i++)
    printf "{\"id\":\"req-%03d\",\"model\":\"model-%d\",\"usage\":{\"input_tokens\":%d,\"output_tokens\":%d}}\n",
        i, i % 3, (i * 37) % 1000, (i * 11) % 300 }' > small.jsonl
awk 'BEGIN { for (i = 1; i <= 1000; i++)
    printf "{\"id\":\"req-%05d\",\"model\":\"model-%d\",\"usage\":{\"input_tokens\":%d,\"output_tokens\":%d}}\n",
        i, i % 7, (i * 37) % 1000, (i * 11) % 300 }' > big.jsonl

size() { stat -c %s "$1"; }
# patch FILE OFFSET OCTAL: overwrites one byte in place.
patch_byte() { printf "\\$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }

# --- Verified inputs -----------------------------------------------------------------------
gzip -n < small.jsonl > gzip.jsonl.gz
gzip -9 -n < small.jsonl > gzip-9.jsonl.gz
# A header with FNAME and MTIME (gzip without -n, from a file with a fixed time).
cp small.jsonl "$tmp/small.jsonl"
touch -d '2026-01-01 00:00:00' "$tmp/small.jsonl"
gzip -c "$tmp/small.jsonl" > gzip-name.jsonl.gz
# cat of two members, split at a line boundary (after line 20).
{ head -n 20 small.jsonl | gzip -n; tail -n +21 small.jsonl | gzip -n; } > two-members.jsonl.gz
# A member ending mid-line (byte 1000 is inside line 13), an empty member, the rest.
{ head -c 1000 small.jsonl | gzip -n; gzip -n < /dev/null; tail -c +1001 small.jsonl | gzip -n; } \
    > midline-empty-member.jsonl.gz
# pigz: one gzip member of several 32 KiB deflate blocks; -i makes the blocks independent.
pigz -n -p 2 -b 32 < big.jsonl > pigz.jsonl.gz
pigz -n -p 2 -b 32 -i < big.jsonl > pigz-i.jsonl.gz
# bgzip: BGZF blocks of at most 65280 input bytes, then the 28-byte empty EOF block.
bgzip -c < big.jsonl > bgzip.jsonl.gz
bgzip -c < /dev/null > bgzip-empty.jsonl.gz
# The same content gzip-compressed under a name that does not end in .gz: sniffed.
gzip -n < small.jsonl > sniffed.jsonl
# A gzip of an empty file: one member, no data.
gzip -n < /dev/null > empty-content.jsonl.gz

# --- Flagged: verified, but suspicious -----------------------------------------------------
head -c -28 bgzip.jsonl.gz > bgzip-no-eof.jsonl.gz
{ cat bgzip-no-eof.jsonl.gz; head -c 100 /dev/zero; } > bgzip-no-eof-zeros.jsonl.gz
{ cat gzip.jsonl.gz; head -c 512 /dev/zero; } > zeros.jsonl.gz
{ cat gzip.jsonl.gz; printf 'this is not gzip\n'; } > junk.jsonl.gz
{ cat gzip.jsonl.gz; head -c 16 /dev/zero; printf 'junk'; } > zeros-then-junk.jsonl.gz
: > empty.jsonl.gz

# --- Failed --------------------------------------------------------------------------------
gz=$(size gzip.jsonl.gz)
head -c 1 gzip.jsonl.gz > truncated-magic.jsonl.gz              # only 1f
head -c 5 gzip.jsonl.gz > truncated-header.jsonl.gz             # inside the 10-byte header
head -c $((gz / 2)) gzip.jsonl.gz > truncated-deflate.jsonl.gz  # mid-deflate
head -c $((gz - 3)) gzip.jsonl.gz > truncated-trailer.jsonl.gz  # CRC read, ISIZE cut
first=$(head -n 20 small.jsonl | gzip -n | wc -c)
head -c $((first + 30)) two-members.jsonl.gz > truncated-second-member.jsonl.gz
head -c 4000 pigz.jsonl.gz > truncated-pigz.jsonl.gz
# bgzip.jsonl.gz holds blocks at 0 (5675 bytes, 65280 out), 5675 (2055 bytes, 20241 out) and
# the EOF block at 7730 (28 bytes); cut inside the second block.
head -c 7000 bgzip.jsonl.gz > truncated-bgzip.jsonl.gz
head -c 3000 bgzip.jsonl.gz > truncated-bgzip-first-block.jsonl.gz

# pigz -0: header (10 bytes), one stored block: 01, LEN 3337 (09 0d), NLEN (f6 f2), the
# 3337 plain bytes from offset 15, then CRC-32 and ISIZE. Plain byte 58 is the "3" of
# "input_tokens":37 on line 1; make it "8". Only the CRC can tell.
pigz -0 -n -p 2 < small.jsonl > crc-stored.jsonl.gz
test "$(dd if=small.jsonl bs=1 skip=58 count=1 status=none)" = 3
patch_byte crc-stored.jsonl.gz $((15 + 58)) 070                 # "8"
# The same stored block with its NLEN damaged: invalid stored block lengths.
pigz -0 -n -p 2 < small.jsonl > corrupt-stored-length.jsonl.gz
patch_byte corrupt-stored-length.jsonl.gz 13 000
# ISIZE (the last 4 bytes, little endian) one more than the true 3337 = 0x0d09.
cp gzip.jsonl.gz isize.jsonl.gz
patch_byte isize.jsonl.gz $((gz - 4)) 012                       # 0x0a: 3338
# Deflate data whose first block has the reserved type 11 (byte 10 = 0x07).
cp gzip.jsonl.gz corrupt-block-type.jsonl.gz
patch_byte corrupt-block-type.jsonl.gz 10 007
# A header whose compression method (byte 2) is not 8 (deflate).
cp gzip.jsonl.gz corrupt-method.jsonl.gz
patch_byte corrupt-method.jsonl.gz 2 007
# Named .gz but not gzip.
bzip2 -c < small.jsonl > bzip2.jsonl.gz
cp small.jsonl plain.jsonl.gz
# Other compressions under names that do not end in .gz.
bzip2 -c < small.jsonl > small.jsonl.bz2
xz -c < small.jsonl > small.jsonl.xz
zstd -q -c < small.jsonl > small.jsonl.zst

for f in *.gz sniffed.jsonl small.jsonl.* small.jsonl big.jsonl; do
    printf '%8d %s\n' "$(size "$f")" "$f"
done
