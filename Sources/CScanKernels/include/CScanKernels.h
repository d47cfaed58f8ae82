#ifndef TOKENTALLY_CSCANKERNELS_H
#define TOKENTALLY_CSCANKERNELS_H

// Byte-scanning kernels for the JSON scanner (stage 3), in C because Swift's SIMD types do
// not lower their lane comparisons to vector instructions (Swift 6.3 scalarises `.==` on
// SIMD16<UInt8> into a 16-step loop). `static inline`, so they inline into Swift callers.
// SSE2 is part of every x86-64 CPU; NEON of every AArch64 CPU; anything else gets the
// portable loop.

#include <stddef.h>
#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>
#endif

/// The offset of the first byte in `p[0 ..< n]` that ends a plain run of JSON string text:
/// `"`, `\`, a control character (below 0x20) or a non-ASCII byte (0x80 and above); `n` when
/// there is none.
static inline size_t tokentally_string_run(const uint8_t *p, size_t n) {
    size_t i = 0;
#if defined(__SSE2__)
    // Read as signed bytes, both < 0x20 and >= 0x80 compare "less than 0x20".
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i special = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), _mm_cmplt_epi8(v, space));
        int mask = _mm_movemask_epi8(special);
        if (mask != 0) return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#elif defined(__aarch64__) && defined(__ARM_NEON)
    const uint8x16_t quote = vdupq_n_u8('"');
    const uint8x16_t backslash = vdupq_n_u8('\\');
    const uint8x16_t space = vdupq_n_u8(0x20);
    const uint8x16_t high = vdupq_n_u8(0x80);
    for (; i + 16 <= n; i += 16) {
        uint8x16_t v = vld1q_u8(p + i);
        uint8x16_t special = vorrq_u8(vorrq_u8(vceqq_u8(v, quote), vceqq_u8(v, backslash)),
                                      vorrq_u8(vcltq_u8(v, space), vcgeq_u8(v, high)));
        if (vmaxvq_u8(special) != 0) break;  // the byte loop below finds which
    }
#endif
    for (; i < n; i++) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) return i;
    }
    return n;
}

/// Why a string body is not valid JSON (0 = it is).
enum {
    TOKENTALLY_STRING_OK = 0,
    TOKENTALLY_STRING_UNEXPECTED_END = 1,
    TOKENTALLY_STRING_INVALID_ESCAPE = 2,
    TOKENTALLY_STRING_CONTROL_CHARACTER = 3,
    TOKENTALLY_STRING_INVALID_UTF8 = 4,
};

/// The result of scanning a string body.
typedef struct {
    /// Just past the closing quote; or, on a problem, the offset of the offending byte.
    size_t index;
    /// One of the TOKENTALLY_STRING_ values.
    int problem;
    /// Whether the body holds a backslash escape.
    int has_escapes;
} tokentally_string_scan;

static inline int tokentally_is_hex(uint8_t c) {
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/// Length of the valid UTF-8 sequence at `p[i]` (a byte >= 0x80) under Unicode Table 3-7
/// (no overlong forms, no surrogates, nothing above U+10FFFF), or 0 when invalid.
static inline size_t tokentally_utf8_length(const uint8_t *p, size_t i, size_t n) {
    uint8_t b0 = p[i];
#define TT_CONT(k, lo, hi) (i + (k) < n && p[i + (k)] >= (lo) && p[i + (k)] <= (hi))
    if (b0 >= 0xC2 && b0 <= 0xDF) return TT_CONT(1, 0x80, 0xBF) ? 2 : 0;
    if (b0 == 0xE0) return TT_CONT(1, 0xA0, 0xBF) && TT_CONT(2, 0x80, 0xBF) ? 3 : 0;
    if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF)
        return TT_CONT(1, 0x80, 0xBF) && TT_CONT(2, 0x80, 0xBF) ? 3 : 0;
    if (b0 == 0xED) return TT_CONT(1, 0x80, 0x9F) && TT_CONT(2, 0x80, 0xBF) ? 3 : 0;
    if (b0 == 0xF0) return TT_CONT(1, 0x90, 0xBF) && TT_CONT(2, 0x80, 0xBF) && TT_CONT(3, 0x80, 0xBF) ? 4 : 0;
    if (b0 >= 0xF1 && b0 <= 0xF3)
        return TT_CONT(1, 0x80, 0xBF) && TT_CONT(2, 0x80, 0xBF) && TT_CONT(3, 0x80, 0xBF) ? 4 : 0;
    if (b0 == 0xF4) return TT_CONT(1, 0x80, 0x8F) && TT_CONT(2, 0x80, 0xBF) && TT_CONT(3, 0x80, 0xBF) ? 4 : 0;
#undef TT_CONT
    return 0;
}

#if defined(__SSE2__)
/// Bit k set when `p[k]` (k < 64) is `"`, `\`, below 0x20 or 0x80 and above.
__attribute__((always_inline)) static inline uint64_t tokentally_special_mask64(const uint8_t *p) {
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
    __m128i v2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
    __m128i v3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));
#define TT_SPECIAL(v) _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), _mm_cmplt_epi8(v, space)))
    uint64_t m0 = (uint32_t)TT_SPECIAL(v0), m1 = (uint32_t)TT_SPECIAL(v1);
    uint64_t m2 = (uint32_t)TT_SPECIAL(v2), m3 = (uint32_t)TT_SPECIAL(v3);
#undef TT_SPECIAL
    return m0 | (m1 << 16) | (m2 << 32) | (m3 << 48);
}
#endif

/// Handles the special byte at `p[i]` inside a string body: returns 1 when the string ended
/// (`result` filled in: success or a problem), 0 when scanning goes on from `*next`.
__attribute__((always_inline)) static inline int tokentally_string_special(
    const uint8_t *p, size_t i, size_t n, size_t *next, tokentally_string_scan *result) {
    uint8_t c = p[i];
    if (c == '"') {
        result->index = i + 1;
        return 1;
    }
    if (c == '\\') {
        result->has_escapes = 1;
        if (i + 1 >= n) {
            result->index = i + 1;
            result->problem = TOKENTALLY_STRING_UNEXPECTED_END;
            return 1;
        }
        switch (p[i + 1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            *next = i + 2;
            return 0;
        case 'u':
            if (i + 6 > n) {
                result->index = n;
                result->problem = TOKENTALLY_STRING_UNEXPECTED_END;
                return 1;
            }
            for (size_t k = 2; k < 6; k++) {
                if (!tokentally_is_hex(p[i + k])) {
                    result->index = i + k;
                    result->problem = TOKENTALLY_STRING_INVALID_ESCAPE;
                    return 1;
                }
            }
            *next = i + 6;
            return 0;
        default:
            result->index = i;
            result->problem = TOKENTALLY_STRING_INVALID_ESCAPE;
            return 1;
        }
    }
    if (c < 0x20) {
        result->index = i;
        result->problem = TOKENTALLY_STRING_CONTROL_CHARACTER;
        return 1;
    }
    size_t length = tokentally_utf8_length(p, i, n);
    if (length == 0) {
        result->index = i;
        result->problem = TOKENTALLY_STRING_INVALID_UTF8;
        return 1;
    }
    *next = i + length;
    return 0;
}

/// Scans 16 bytes at a time from `*i` to the next special byte and handles it: returns 1 when
/// the string ended there (`result` filled in), 0 when scanning goes on from `*i`.
__attribute__((always_inline)) static inline int tokentally_string_step(
    const uint8_t *p, size_t *i, size_t n, tokentally_string_scan *result) {
    *i += tokentally_string_run(p + *i, n - *i);
    if (*i >= n) {
        result->index = *i;
        result->problem = TOKENTALLY_STRING_UNEXPECTED_END;
        return 1;
    }
    return tokentally_string_special(p, *i, n, i, result);
}

#if defined(__x86_64__) && defined(__SSE2__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define TOKENTALLY_HAS_AVX2_PATH 1

/// The 64-byte loop of ``tokentally_scan_string`` with AVX2 (two 32-byte compares per block
/// instead of four 16-byte ones), for CPUs that have it; compiled for AVX2 on its own, so the
/// rest of the binary runs on any x86-64. Returns 1 when the string ended (`result` filled
/// in), 0 when fewer than 64 bytes are left (scanning goes on from `*i`).
__attribute__((target("avx2"))) static int tokentally_scan_blocks_avx2(
    const uint8_t *p, size_t *i, size_t n, tokentally_string_scan *result) {
    const __m256i quote = _mm256_set1_epi8('"');
    const __m256i backslash = _mm256_set1_epi8('\\');
    const __m256i space = _mm256_set1_epi8(0x20);
    while (n - *i >= 64) {
        size_t block = *i;
        __m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)(p + block));
        __m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + block + 32));
#define TT_SPECIAL256(v) (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, quote), _mm256_cmpeq_epi8(v, backslash)), _mm256_cmpgt_epi8(space, v)))
        uint64_t mask = (uint64_t)TT_SPECIAL256(v0) | ((uint64_t)TT_SPECIAL256(v1) << 32);
#undef TT_SPECIAL256
        while (mask != 0) {
            size_t position = block + (size_t)__builtin_ctzll(mask);
            mask &= mask - 1;
            if (position < *i) continue;  // inside an escape or a UTF-8 sequence already read
            if (tokentally_string_special(p, position, n, i, result)) return 1;
        }
        if (*i < block + 64) *i = block + 64;
    }
    return 0;
}

/// Whether this CPU has AVX2 (asked once; the answer is cached by the compiler's runtime).
static inline int tokentally_cpu_has_avx2(void) {
    return __builtin_cpu_supports("avx2");
}
#endif

/// Validates a JSON string body starting at `p[start]` (just after the opening quote) up to
/// its closing quote: escapes (`\" \\ \/ \b \f \n \r \t \uXXXX`), no raw control characters,
/// valid UTF-8.
///
/// The first special byte is found 16 bytes at a time (for most strings, it is the closing
/// quote). After that, while 64 bytes remain, one bit mask marks every byte of the next 64 that needs a look
/// (quotes, backslashes, control and non-ASCII bytes) and the marked bytes are handled in
/// order from the mask, skipping those an escape or a UTF-8 sequence already consumed:
/// prompts are full of escapes, and restarting a vector scan after each one costs more than
/// the scan. Closer to the end of the line, 16 bytes at a time.
///
/// With `allow_avx2` (what ``tokentally_scan_string`` passes), the 64-byte loop runs with AVX2
/// on CPUs that have it; 0 keeps it to SSE2 (the tests check both give the same answers).
static inline tokentally_string_scan tokentally_scan_string_with(
    const uint8_t *p, size_t start, size_t n, int allow_avx2) {
    tokentally_string_scan result = {0, TOKENTALLY_STRING_OK, 0};
    size_t i = start;
    // Most strings (keys, ids, model names) end at their first special byte, the closing quote.
    if (tokentally_string_step(p, &i, n, &result)) return result;
#if !defined(TOKENTALLY_HAS_AVX2_PATH)
    (void)allow_avx2;
#else
    if (allow_avx2 && n - i >= 64 && tokentally_cpu_has_avx2()) {
        if (tokentally_scan_blocks_avx2(p, &i, n, &result)) return result;
    }
#endif
#if defined(__SSE2__)
    while (n - i >= 64) {
        size_t block = i;
        uint64_t mask = tokentally_special_mask64(p + block);
        while (mask != 0) {
            size_t position = block + (size_t)__builtin_ctzll(mask);
            mask &= mask - 1;
            if (position < i) continue;  // inside an escape or a UTF-8 sequence already read
            if (tokentally_string_special(p, position, n, &i, &result)) return result;
        }
        if (i < block + 64) i = block + 64;
    }
#endif
    while (!tokentally_string_step(p, &i, n, &result)) {}
    return result;
}

/// ``tokentally_scan_string_with`` with AVX2 where the CPU has it.
static inline tokentally_string_scan tokentally_scan_string(const uint8_t *p, size_t start, size_t n) {
    return tokentally_scan_string_with(p, start, n, 1);
}

#if defined(TOKENTALLY_HAS_AVX2_PATH)
// --- Whole-line UTF-8 validation and string bodies of validated lines (AVX2) ----------------
//
// Prompts hold escapes and non-ASCII text every few dozen bytes, and the loops above stop at
// each one. A line is first checked as UTF-8 as a whole, 32 bytes at a time, by the
// lookup-table method of Keiser and Lemire ("Validating UTF-8 in less than one instruction
// per byte", 2021); when it is valid, string bodies are scanned 64 bytes at a time with bit
// masks that find escaped characters arithmetically and ignore non-ASCII bytes altogether.
// Anything unusual in a body (a control character, a bad escape, the last 64 bytes of the
// line) goes back to the loops above, which give every problem its exact offset.

/// Error bits of the UTF-8 lookup: each is a way the pair (previous byte, this byte) can be
/// wrong; a pair is wrong when one bit is set in all three tables.
enum {
    TT_U8_TOO_SHORT = 1 << 0,      // a lead byte not followed by a continuation byte
    TT_U8_TOO_LONG = 1 << 1,       // an ASCII byte followed by a continuation byte
    TT_U8_OVERLONG_3 = 1 << 2,     // E0 80..9F
    TT_U8_TOO_LARGE = 1 << 3,      // F4 90..BF, or F5..FF
    TT_U8_SURROGATE = 1 << 4,      // ED A0..BF
    TT_U8_OVERLONG_2 = 1 << 5,     // C0, C1
    TT_U8_TOO_LARGE_1000 = 1 << 6, // F5..FF 80..8F
    TT_U8_OVERLONG_4 = 1 << 6,     // F0 80..8F (same bit: F0 and F5+ are told apart by the low nibble)
    TT_U8_TWO_CONTINUATIONS = -128,    // 0x80 as a signed byte: a continuation byte after a continuation byte
};

/// The error bits of each (previous byte, byte) pair of `input`, whose previous bytes are `prev1`.
__attribute__((target("avx2"), always_inline)) static inline __m256i tokentally_utf8_pair_errors(__m256i input, __m256i prev1) {
    enum { S = TT_U8_TOO_SHORT, L = TT_U8_TOO_LONG, O3 = TT_U8_OVERLONG_3, TL = TT_U8_TOO_LARGE,
           SU = TT_U8_SURROGATE, O2 = TT_U8_OVERLONG_2, TL1 = TT_U8_TOO_LARGE_1000, O4 = TT_U8_OVERLONG_4,
           TC = TT_U8_TWO_CONTINUATIONS, CARRY = S | L | TC };
    // By the previous byte's high nibble: what kind of byte it is.
    const __m256i byte1_high = _mm256_setr_epi8(
        L, L, L, L, L, L, L, L, TC, TC, TC, TC, S | O2, S, S | O3 | SU, S | TL | TL1 | O4,
        L, L, L, L, L, L, L, L, TC, TC, TC, TC, S | O2, S, S | O3 | SU, S | TL | TL1 | O4);
    // By the previous byte's low nibble: which lead bytes of each kind are special.
    const __m256i byte1_low = _mm256_setr_epi8(
        CARRY | O3 | O2 | O4, CARRY | O2, CARRY, CARRY, CARRY | TL, CARRY | TL | TL1, CARRY | TL | TL1, CARRY | TL | TL1,
        CARRY | TL | TL1, CARRY | TL | TL1, CARRY | TL | TL1, CARRY | TL | TL1, CARRY | TL | TL1, CARRY | TL | TL1 | SU,
        CARRY | TL | TL1, CARRY | TL | TL1,
        CARRY | O3 | O2 | O4, CARRY | O2, CARRY, CARRY, CARRY | TL, CARRY | TL | TL1, CARRY | TL | TL1, CARRY | TL | TL1,
        CARRY | TL | TL1, CARRY | TL | TL1, CARRY | TL | TL1, CARRY | TL | TL1, CARRY | TL | TL1, CARRY | TL | TL1 | SU,
        CARRY | TL | TL1, CARRY | TL | TL1);
    // By this byte's high nibble: ASCII, which range of continuation byte, or a lead byte.
    const __m256i byte2_high = _mm256_setr_epi8(
        S, S, S, S, S, S, S, S,
        L | O2 | TC | O3 | TL1 | O4, L | O2 | TC | O3 | TL, L | O2 | TC | SU | TL, L | O2 | TC | SU | TL,
        S, S, S, S,
        S, S, S, S, S, S, S, S,
        L | O2 | TC | O3 | TL1 | O4, L | O2 | TC | O3 | TL, L | O2 | TC | SU | TL, L | O2 | TC | SU | TL,
        S, S, S, S);
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    __m256i prev_high = _mm256_and_si256(_mm256_srli_epi16(prev1, 4), nibble);
    __m256i prev_low = _mm256_and_si256(prev1, nibble);
    __m256i high = _mm256_and_si256(_mm256_srli_epi16(input, 4), nibble);
    return _mm256_and_si256(_mm256_and_si256(_mm256_shuffle_epi8(byte1_high, prev_high), _mm256_shuffle_epi8(byte1_low, prev_low)),
                            _mm256_shuffle_epi8(byte2_high, high));
}

/// The 32 bytes that precede each byte of `input` by `k` (1 to 3), `previous` being the 32 bytes before `input`.
#define TT_PREV(input, previous, k) _mm256_alignr_epi8((input), _mm256_permute2x128_si256((previous), (input), 0x21), 16 - (k))

/// One 32-byte block of ``tokentally_utf8_valid_avx2``: adds the block's errors to `*error`,
/// and sets `*incomplete` to the bytes of the block that begin a sequence longer than the
/// bytes left after them (an error unless the next block continues them).
__attribute__((target("avx2"), always_inline)) static inline void tokentally_utf8_block(
    __m256i input, __m256i previous, __m256i *error, __m256i *incomplete) {
    const __m256i last_leads = _mm256_setr_epi8(
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, (char)(0xF0 - 1), (char)(0xE0 - 1), (char)(0xC0 - 1));
    if (_mm256_movemask_epi8(input) == 0) {
        *error = _mm256_or_si256(*error, *incomplete);
        *incomplete = _mm256_setzero_si256();
        return;
    }
    __m256i prev1 = TT_PREV(input, previous, 1);
    __m256i pairs = tokentally_utf8_pair_errors(input, prev1);
    // The third and fourth bytes of a sequence: a continuation after a continuation, which
    // the pair tables flag as TWO_CONTINUATIONS, is right exactly there.
    __m256i prev2 = TT_PREV(input, previous, 2);
    __m256i prev3 = TT_PREV(input, previous, 3);
    __m256i third = _mm256_subs_epu8(prev2, _mm256_set1_epi8((char)(0xE0 - 0x80)));
    __m256i fourth = _mm256_subs_epu8(prev3, _mm256_set1_epi8((char)(0xF0 - 0x80)));
    __m256i expected = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8((char)0x80));
    *error = _mm256_or_si256(*error, _mm256_xor_si256(expected, pairs));
    *incomplete = _mm256_subs_epu8(input, last_leads);
}

/// Whether `p[0 ..< n]` is valid UTF-8 (Unicode Table 3-7: no overlong forms, no surrogates,
/// nothing above U+10FFFF, no sequence cut short by the end). 64 bytes at a time, with one
/// test for a block of ASCII (most of a line: keys, numbers, English text); the last 1 to 32
/// bytes padded with zeros, since an ASCII byte after the end ends any open sequence as "too
/// short".
__attribute__((target("avx2"))) static int tokentally_utf8_valid_avx2(const uint8_t *p, size_t n) {
    __m256i previous = _mm256_setzero_si256();
    __m256i error = _mm256_setzero_si256();
    __m256i incomplete = _mm256_setzero_si256();
    size_t i = 0;
    for (; n - i > 64; i += 64) {
        __m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
        __m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + i + 32));
        if (_mm256_movemask_epi8(_mm256_or_si256(v0, v1)) == 0) {
            error = _mm256_or_si256(error, incomplete);
            incomplete = _mm256_setzero_si256();
        } else {
            tokentally_utf8_block(v0, previous, &error, &incomplete);
            tokentally_utf8_block(v1, v0, &error, &incomplete);
        }
        previous = v1;
    }
    if (n - i > 32) {
        __m256i input = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
        tokentally_utf8_block(input, previous, &error, &incomplete);
        previous = input;
        i += 32;
    }
    uint8_t tail[32] = {0};
    __builtin_memcpy(tail, p + i, n - i);
    __m256i input = _mm256_loadu_si256((const __m256i *)(const void *)tail);
    tokentally_utf8_block(input, previous, &error, &incomplete);
    // The padded tail ends in zeros unless it was full; then a sequence may still be open.
    error = _mm256_or_si256(error, incomplete);
    return _mm256_testz_si256(error, error);
}
#undef TT_PREV

/// The escaped characters of a 64-byte block: bit k set when byte k follows a backslash that
/// begins an escape. `backslashes` marks the block's backslashes; `*carry` is 1 when byte 0 is
/// escaped by the block before, and is set for the next block.
static inline uint64_t tokentally_escaped_mask(uint64_t backslashes, uint64_t *carry) {
    const uint64_t even = 0x5555555555555555ULL;
    // An escaped backslash begins nothing.
    uint64_t b = backslashes & ~*carry;
    uint64_t follows = (b << 1) | *carry;
    // Runs of backslashes: the escaped bytes are every other byte after the run's start,
    // through the byte after the run. Adding a run's start bit to a run that starts on an odd
    // bit clears it (leaving a bit after it); runs starting on even bits stay, and shifted by
    // one they flip the even mask over their span.
    uint64_t starts = b & ~(b << 1);
    uint64_t odd_starts = starts & ~even;
    uint64_t even_runs = b + odd_starts;
    uint64_t escaped = (even ^ (even_runs << 1)) & follows;
    *carry = (b >> 63) & ~(escaped >> 63);
    return escaped;
}

/// One 64-byte block, as bit masks (bit k: byte k).
typedef struct {
    uint64_t quotes, backslashes, controls;
} tokentally_block_masks;

__attribute__((target("avx2"), always_inline)) static inline uint64_t tokentally_mask64(__m256i low, __m256i high) {
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(low) | ((uint64_t)(uint32_t)_mm256_movemask_epi8(high) << 32);
}

/// Bit k set when byte k (of `v0` then `v1`) is a byte whose high and low nibbles have no
/// bit in common in the two tables.
__attribute__((target("avx2"), always_inline)) static inline uint64_t tokentally_nibble_miss64(
    __m256i v0, __m256i v1, __m256i high_table, __m256i low_table) {
    const __m256i nibble = _mm256_set1_epi8(0x0F);
#define TT_MISS(v) _mm256_cmpeq_epi8(_mm256_and_si256( \
        _mm256_shuffle_epi8(high_table, _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble)), \
        _mm256_shuffle_epi8(low_table, _mm256_and_si256(v, nibble))), _mm256_setzero_si256())
    return tokentally_mask64(TT_MISS(v0), TT_MISS(v1));
#undef TT_MISS
}

/// Bit k set when byte k may not follow a backslash: not one of `" \ / b f n r t u` (by
/// nibbles, 0x2_: `"` `/`; 0x5_: `\`; 0x6_: b f n; 0x7_: r t u).
__attribute__((target("avx2"), always_inline)) static inline uint64_t tokentally_not_escape64(__m256i v0, __m256i v1) {
    const __m256i high = _mm256_setr_epi8(0, 0, 1, 0, 0, 2, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0,
                                          0, 0, 1, 0, 0, 2, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i low = _mm256_setr_epi8(0, 0, 1 | 4 | 8, 0, 8, 8, 4, 0, 0, 0, 0, 0, 2, 0, 4, 1,
                                         0, 0, 1 | 4 | 8, 0, 8, 8, 4, 0, 0, 0, 0, 0, 2, 0, 4, 1);
    return tokentally_nibble_miss64(v0, v1, high, low);
}

/// Bit k set when byte k is a hex digit (by nibbles, 0x3_ with 0-9; 0x4_ or 0x6_ with 1-6).
__attribute__((target("avx2"), always_inline)) static inline uint64_t tokentally_hex64(__m256i v0, __m256i v1) {
    const __m256i high = _mm256_setr_epi8(0, 0, 0, 1, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                          0, 0, 0, 1, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i low = _mm256_setr_epi8(1, 3, 3, 3, 3, 3, 3, 1, 1, 1, 0, 0, 0, 0, 0, 0,
                                         1, 3, 3, 3, 3, 3, 3, 1, 1, 1, 0, 0, 0, 0, 0, 0);
    return ~tokentally_nibble_miss64(v0, v1, high, low);
}

/// The quotes, backslashes and control characters (below 0x20) of a 64-byte block.
__attribute__((target("avx2"), always_inline)) static inline tokentally_block_masks tokentally_block64(__m256i v0, __m256i v1) {
    const __m256i quote = _mm256_set1_epi8('"');
    const __m256i backslash = _mm256_set1_epi8('\\');
    const __m256i control_max = _mm256_set1_epi8(0x1F);
    tokentally_block_masks masks;
    masks.quotes = tokentally_mask64(_mm256_cmpeq_epi8(v0, quote), _mm256_cmpeq_epi8(v1, quote));
    masks.backslashes = tokentally_mask64(_mm256_cmpeq_epi8(v0, backslash), _mm256_cmpeq_epi8(v1, backslash));
    masks.controls = tokentally_mask64(_mm256_cmpeq_epi8(_mm256_min_epu8(v0, control_max), v0),
                                       _mm256_cmpeq_epi8(_mm256_min_epu8(v1, control_max), v1));
    return masks;
}

/// Bit k set when byte k is a `u`.
__attribute__((target("avx2"), always_inline)) static inline uint64_t tokentally_u64(__m256i v0, __m256i v1) {
    const __m256i u = _mm256_set1_epi8('u');
    return tokentally_mask64(_mm256_cmpeq_epi8(v0, u), _mm256_cmpeq_epi8(v1, u));
}

/// ``tokentally_scan_string`` for a line that is valid UTF-8 (``tokentally_utf8_valid_avx2``):
/// the same answers, with non-ASCII bytes left unread and escapes found 64 bytes at a time.
///
/// Scanning starts at `from` (`start` ≤ `from`, no backslash in between); `start` is where
/// the body begins, for the exact rescan on a problem.
__attribute__((target("avx2"))) static tokentally_string_scan tokentally_scan_validated_string_avx2(
    const uint8_t *p, size_t start, size_t from, size_t n) {
    size_t i = from;
    uint64_t carry = 0;
    int has_escapes = 0;
    while (n - i >= 64) {
        __m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
        __m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + i + 32));
        tokentally_block_masks block = tokentally_block64(v0, v1);
        uint64_t escaped = tokentally_escaped_mask(block.backslashes, &carry);
        uint64_t ends = block.quotes & ~escaped;
        uint64_t body = ends ? ((ends & -ends) - 1) : ~0ULL;  // the bytes before the closing quote
        uint64_t escapes = escaped & body;
        if (block.controls & body) break;
        if (escapes) {
            has_escapes = 1;
            if (escapes & tokentally_not_escape64(v0, v1)) break;
            uint64_t unicode = escapes & tokentally_u64(v0, v1);
            if (unicode != 0) {
                // Bit k of `runs`: bytes k ..< k + 4 are hex digits. A `u` at k needs bit k + 1,
                // which this block holds for k < 60; the last four positions are checked by byte.
                uint64_t hex = tokentally_hex64(v0, v1);
                uint64_t runs = hex & (hex >> 1) & (hex >> 2) & (hex >> 3);
                if (((unicode & ((1ULL << 60) - 1)) << 1) & ~runs) break;
                int hex_ok = 1;
                for (uint64_t edge = unicode >> 60; edge != 0; edge &= edge - 1) {
                    size_t at = i + 60 + (size_t)__builtin_ctzll(edge);
                    if (at + 5 > n || !tokentally_is_hex(p[at + 1]) || !tokentally_is_hex(p[at + 2]) ||
                        !tokentally_is_hex(p[at + 3]) || !tokentally_is_hex(p[at + 4])) {
                        hex_ok = 0;
                        break;
                    }
                }
                if (!hex_ok) break;
            }
        } else if (block.backslashes & body) {
            has_escapes = 1;  // a backslash whose escaped byte is in the next block
        }
        if (ends) return (tokentally_string_scan){i + (size_t)__builtin_ctzll(ends) + 1, TOKENTALLY_STRING_OK, has_escapes};
        i += 64;
    }
    if (n - i < 64) {
        // The last bytes of the line, one special byte at a time: from the backslash when an
        // escape spans the boundary, else from the start of the character at `i`.
        size_t resume = i;
        if (carry) {
            resume = i - 1;
        } else {
            while (resume > start && resume < n && (p[resume] & 0xC0) == 0x80) resume--;
        }
        tokentally_string_scan rest = tokentally_scan_string_with(p, resume, n, 0);
        if (rest.problem == TOKENTALLY_STRING_OK) {
            rest.has_escapes |= has_escapes;
            return rest;
        }
    }
    // A problem: the exact loops find it, and its offset, from the start.
    return tokentally_scan_string_with(p, start, n, 0);
}
#endif

/// Whether this build and CPU have the validated-line path (AVX2): ``tokentally_utf8_valid``
/// and ``tokentally_scan_validated_string`` may only be called when it is 1.
static inline int tokentally_validated_path_available(void) {
#if defined(TOKENTALLY_HAS_AVX2_PATH)
    return tokentally_cpu_has_avx2();
#else
    return 0;
#endif
}

/// Whether `p[0 ..< n]` is valid UTF-8 (only with ``tokentally_validated_path_available``).
static inline int tokentally_utf8_valid(const uint8_t *p, size_t n) {
#if defined(TOKENTALLY_HAS_AVX2_PATH)
    return tokentally_utf8_valid_avx2(p, n);
#else
    (void)p; (void)n;
    return 0;
#endif
}

/// ``tokentally_scan_string`` for a line that ``tokentally_utf8_valid`` accepted (only with
/// ``tokentally_validated_path_available``).
///
/// Most strings (keys, ids, model names) end at their first `"`, `\` or control character,
/// within 32 bytes: that is checked here, inline with SSE2, and the rest is left to the
/// AVX2 loop.
static inline tokentally_string_scan tokentally_scan_validated_string(const uint8_t *p, size_t start, size_t n) {
#if defined(TOKENTALLY_HAS_AVX2_PATH)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i control_max = _mm_set1_epi8(0x1F);
    size_t i = start;
    for (int step = 0; step < 2 && n - i >= 16; step++, i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        int special = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                                     _mm_cmpeq_epi8(_mm_min_epu8(v, control_max), v)));
        if (special != 0) {
            size_t at = i + (size_t)__builtin_ctz((unsigned)special);
            if (p[at] == '"') return (tokentally_string_scan){at + 1, TOKENTALLY_STRING_OK, 0};
            return tokentally_scan_validated_string_avx2(p, start, at, n);
        }
    }
    return tokentally_scan_validated_string_avx2(p, start, i, n);
#else
    return tokentally_scan_string_with(p, start, n, 0);
#endif
}

/// Whether `n` bytes at `a` and `b` are equal. Short keys (the common case) are compared as
/// two overlapping words, without a call or a byte loop.
static inline int tokentally_bytes_equal(const uint8_t *a, const uint8_t *b, size_t n) {
    uint64_t x, y, u, v;
    if (n >= 8 && n <= 16) {
        __builtin_memcpy(&x, a, 8); __builtin_memcpy(&y, b, 8);
        __builtin_memcpy(&u, a + n - 8, 8); __builtin_memcpy(&v, b + n - 8, 8);
        return x == y && u == v;
    }
    if (n >= 4 && n < 8) {
        uint32_t x4, y4, u4, v4;
        __builtin_memcpy(&x4, a, 4); __builtin_memcpy(&y4, b, 4);
        __builtin_memcpy(&u4, a + n - 4, 4); __builtin_memcpy(&v4, b + n - 4, 4);
        return x4 == y4 && u4 == v4;
    }
    if (n < 4) {
        for (size_t i = 0; i < n; i++) if (a[i] != b[i]) return 0;
        return 1;
    }
    return __builtin_memcmp(a, b, n) == 0;
}

/// Whether `c` is JSON whitespace (space, tab, CR, LF).
static inline int tokentally_is_whitespace(uint8_t c) {
    return c <= ' ' && (c == ' ' || c == '\n' || c == '\r' || c == '\t');
}

/// The index of the first byte at or after `i` that is not JSON whitespace; `n` at most.
static inline size_t tokentally_skip_whitespace(const uint8_t *p, size_t i, size_t n) {
    while (i < n && tokentally_is_whitespace(p[i])) i++;
    return i;
}

/// Why a number is not valid JSON (0 = it is).
enum {
    TOKENTALLY_NUMBER_OK = 0,
    TOKENTALLY_NUMBER_LEADING_ZERO = 1,
    TOKENTALLY_NUMBER_MISSING_DIGITS = 2,
    TOKENTALLY_NUMBER_UNEXPECTED_END = 3,
};

/// The end of a number: just past it, or, when `problem` is set, the offending byte.
typedef struct {
    size_t index;
    /// One of the TOKENTALLY_NUMBER_ values.
    int problem;
} tokentally_number_scan;

/// Scans a number (RFC 8259 grammar: `-`? int frac? exp?) starting at `p[i]`. Shared by
/// JSONScanner and ``tokentally_skip_container``.
static inline tokentally_number_scan tokentally_scan_number(const uint8_t *p, size_t i, size_t n) {
#define TT_IS_DIGIT(k) ((k) < n && (uint8_t)(p[k] - '0') <= 9)
#define TT_FAIL(what) return (tokentally_number_scan){i, (what)}
    if (p[i] == '-') i++;
    if (i < n && p[i] == '0') {
        i++;
        if (TT_IS_DIGIT(i)) TT_FAIL(TOKENTALLY_NUMBER_LEADING_ZERO);
    } else if (TT_IS_DIGIT(i)) {
        while (TT_IS_DIGIT(i)) i++;
    } else {
        TT_FAIL(i < n ? TOKENTALLY_NUMBER_MISSING_DIGITS : TOKENTALLY_NUMBER_UNEXPECTED_END);
    }
    if (i < n && p[i] == '.') {
        i++;
        if (!TT_IS_DIGIT(i)) TT_FAIL(TOKENTALLY_NUMBER_MISSING_DIGITS);
        while (TT_IS_DIGIT(i)) i++;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-')) i++;
        if (!TT_IS_DIGIT(i)) TT_FAIL(TOKENTALLY_NUMBER_MISSING_DIGITS);
        while (TT_IS_DIGIT(i)) i++;
    }
    return (tokentally_number_scan){i, TOKENTALLY_NUMBER_OK};
#undef TT_FAIL
#undef TT_IS_DIGIT
}

/// Sentinel of ``tokentally_skip_container``: the container was not skipped.
#define TOKENTALLY_NOT_SKIPPED (-1)

/// Skips the object or array that starts at `p[i]` (a `{` or `[`), checking it as
/// JSONScanner does: RFC 8259 grammar, JSON whitespace, string bodies with
/// ``tokentally_scan_validated_string`` when `validated` (the line is known to be valid UTF-8)
/// and ``tokentally_scan_string`` otherwise; nothing is recorded. It is the scanner's path for
/// values that no planned path goes into (message lists, output items), which hold most of a
/// line's tokens: one tight loop instead of the scanner's state machine, with its plan look-ups
/// and error bookkeeping.
///
/// Returns the index just past the container, or ``TOKENTALLY_NOT_SKIPPED`` when the bytes are
/// not valid JSON, or when more than `max_open` containers (this one included) or more than
/// 4096 would be open at once. The scanner then scans the same bytes its own way, which finds
/// and reports exactly what is wrong: this function only ever says "valid, ends here".
static ptrdiff_t tokentally_skip_container(const uint8_t *p, size_t i, size_t n, size_t max_open, int validated) {
    uint64_t arrays[64];  // bit d: the container open at depth d is an array
    size_t open = 0;
    int in_array;
    if (max_open > 4096) max_open = 4096;
    // Whitespace is looked for only where the expected byte is not found: compact JSON, the
    // common case, then costs no whitespace checks at all.
#define TT_RETRY_AFTER_WHITESPACE(label) do { \
        if (tokentally_is_whitespace(p[i])) { i = tokentally_skip_whitespace(p, i, n); goto label; } \
        return TOKENTALLY_NOT_SKIPPED; \
    } while (0)
#define TT_SKIP_STRING() do { \
        tokentally_string_scan scan = validated ? tokentally_scan_validated_string(p, i + 1, n) \
                                                : tokentally_scan_string(p, i + 1, n); \
        if (scan.problem != TOKENTALLY_STRING_OK) return TOKENTALLY_NOT_SKIPPED; \
        i = scan.index; \
    } while (0)

open_container:  // p[i] is '{' or '['
    if (open == max_open) return TOKENTALLY_NOT_SKIPPED;
    in_array = p[i] == '[';
    if (in_array) arrays[open >> 6] |= 1ULL << (open & 63);
    else arrays[open >> 6] &= ~(1ULL << (open & 63));
    open++;
    i++;

first:  // after '{' or '[' (and any whitespace)
    if (i >= n) return TOKENTALLY_NOT_SKIPPED;
    if (p[i] == (in_array ? ']' : '}')) {
        i++;
        open--;
        goto after_value;
    }
    if (tokentally_is_whitespace(p[i])) {
        i = tokentally_skip_whitespace(p, i, n);
        goto first;
    }
    if (in_array) goto value;

key:  // where a key must start, in an object
    if (i >= n) return TOKENTALLY_NOT_SKIPPED;
    if (p[i] != '"') TT_RETRY_AFTER_WHITESPACE(key);
    TT_SKIP_STRING();

colon:  // just past a key
    if (i >= n) return TOKENTALLY_NOT_SKIPPED;
    if (p[i] != ':') TT_RETRY_AFTER_WHITESPACE(colon);
    i++;

value:  // where a value must start
    if (i >= n) return TOKENTALLY_NOT_SKIPPED;
    // Tests in order of frequency, not a `switch`: its jump table is one indirect branch,
    // which the CPU mispredicts far more often than these.
    if (p[i] == '"') {
        TT_SKIP_STRING();
    } else if (p[i] == '{' || p[i] == '[') {
        goto open_container;
    } else if ((uint8_t)(p[i] - '0') <= 9 || p[i] == '-') {
        tokentally_number_scan number = tokentally_scan_number(p, i, n);
        if (number.problem != TOKENTALLY_NUMBER_OK) return TOKENTALLY_NOT_SKIPPED;
        i = number.index;
    } else if (p[i] == 't') {
        if (n - i < 4 || !tokentally_bytes_equal(p + i, (const uint8_t *)"true", 4)) return TOKENTALLY_NOT_SKIPPED;
        i += 4;
    } else if (p[i] == 'f') {
        if (n - i < 5 || !tokentally_bytes_equal(p + i, (const uint8_t *)"false", 5)) return TOKENTALLY_NOT_SKIPPED;
        i += 5;
    } else if (p[i] == 'n') {
        if (n - i < 4 || !tokentally_bytes_equal(p + i, (const uint8_t *)"null", 4)) return TOKENTALLY_NOT_SKIPPED;
        i += 4;
    } else {
        TT_RETRY_AFTER_WHITESPACE(value);
    }

after_value:  // just past a value (or a container's end)
    if (open == 0) return (ptrdiff_t)i;
    if (i >= n) return TOKENTALLY_NOT_SKIPPED;
    in_array = (int)((arrays[(open - 1) >> 6] >> ((open - 1) & 63)) & 1);
    if (p[i] == ',') {
        i++;
        if (in_array) goto value;
        goto key;
    }
    if (p[i] == (in_array ? ']' : '}')) {
        i++;
        open--;
        goto after_value;
    }
    TT_RETRY_AFTER_WHITESPACE(after_value);
#undef TT_RETRY_AFTER_WHITESPACE
#undef TT_SKIP_STRING
}

#endif
