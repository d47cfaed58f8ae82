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

#endif
