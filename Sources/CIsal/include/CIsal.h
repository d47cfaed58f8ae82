#ifndef TOKENTALLY_CISAL_H
#define TOKENTALLY_CISAL_H

// Intel ISA-L raw-deflate inflate and CRC-32, loaded at run time.
//
// This target compiles everywhere. When <isa-l/igzip_lib.h> exists at build time (Debian:
// libisal-dev), the shim takes the layout of `struct inflate_state` from it and loads the
// shared library (libisal.so.2) with dlopen at first use, so a binary built with the headers
// has no link-time dependency on ISA-L and still runs, on zlib, where the library is missing.
// Built without the headers, it always reports ISA-L as unavailable. Only LogInput imports it.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One raw-deflate inflate stream (RFC 1951, no gzip or zlib wrapper).
typedef struct tokentally_isal_inflater tokentally_isal_inflater;

/// 1 when ISA-L was found and loaded (loads it on the first call; thread-safe), else 0.
int tokentally_isal_available(void);

/// Why ISA-L is unavailable, in one line; an empty string when it is available.
const char *tokentally_isal_unavailable_reason(void);

/// The library file that was loaded (or tried last), for messages.
const char *tokentally_isal_library_name(void);

/// 1 when this binary was built with ISA-L's headers, else 0.
int tokentally_isal_built_with_headers(void);

/// A new stream ready for the first member, or NULL when ISA-L is unavailable or memory ran out.
tokentally_isal_inflater *tokentally_isal_inflater_create(void);

/// Frees a stream made by tokentally_isal_inflater_create (NULL is fine).
void tokentally_isal_inflater_destroy(tokentally_isal_inflater *inflater);

/// Prepares the stream for the next deflate stream.
void tokentally_isal_inflater_reset(tokentally_isal_inflater *inflater);

/// The result of one tokentally_isal_inflate call.
enum {
    /// Progress (or more input is needed); the deflate stream has not ended.
    TOKENTALLY_ISAL_PROGRESS = 0,
    /// The final block ended and every byte of its output has been written.
    TOKENTALLY_ISAL_END = 1,
    /// The deflate data is invalid.
    TOKENTALLY_ISAL_INVALID = -1,
};

/// Inflates from `input` into `output`.
///
/// `*consumed` is how many input bytes were used. When the stream ends, ISA-L may hold up to
/// 8 bytes read past the end of the deflate data in its bit buffer; they are handed back, so
/// in that call `*consumed` can be smaller than the bytes ISA-L read, and even negative (the
/// bytes came from an earlier call's input): the caller must step back that far.
/// `*produced` is how many output bytes were written. `*code` receives ISA-L's own return
/// value (0, or ISAL_INVALID_BLOCK, ISAL_INVALID_SYMBOL, ISAL_INVALID_LOOKBACK…).
int tokentally_isal_inflate(
    tokentally_isal_inflater *inflater,
    const uint8_t *input, size_t input_count,
    uint8_t *output, size_t output_count,
    ptrdiff_t *consumed, size_t *produced, int *code);

/// CRC-32 as gzip uses it (ISA-L's crc32_gzip_refl): `crc` is the CRC of the bytes before,
/// 0 at the start, exactly like zlib's crc32(). Only valid when ISA-L is available.
uint32_t tokentally_isal_crc32(uint32_t crc, const uint8_t *bytes, size_t count);

#ifdef __cplusplus
}
#endif

#endif
