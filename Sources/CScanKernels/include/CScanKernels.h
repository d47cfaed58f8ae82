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

#endif
