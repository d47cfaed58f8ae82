// ISA-L, loaded at run time. See include/CIsal.h for why and how.

#include "CIsal.h"

#include <stdlib.h>
#include <string.h>

#if __has_include(<isa-l/igzip_lib.h>) && __has_include(<dlfcn.h>) && __has_include(<pthread.h>)
#define TOKENTALLY_HAVE_ISAL_HEADERS 1
#else
#define TOKENTALLY_HAVE_ISAL_HEADERS 0
#endif

int tokentally_isal_built_with_headers(void) { return TOKENTALLY_HAVE_ISAL_HEADERS; }

#if TOKENTALLY_HAVE_ISAL_HEADERS

#include <dlfcn.h>
#include <isa-l/igzip_lib.h>
#include <pthread.h>
#include <stdio.h>

struct tokentally_isal_inflater {
    struct inflate_state state;
};

// The library's entry points, set once by load().
static void (*isal_inflate_init_fn)(struct inflate_state *);
static void (*isal_inflate_reset_fn)(struct inflate_state *);
static int (*isal_inflate_fn)(struct inflate_state *);
static uint32_t (*crc32_gzip_refl_fn)(uint32_t, const unsigned char *, uint64_t);

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded;
static char reason[512];
static char library_name[256];

// The library files tried, in order, when TOKENTALLY_ISAL_LIBRARY is not set. Only the
// soname tokentally was built against (libisal.so.2): an unversioned libisal.so could be a
// later ABI whose `struct inflate_state` differs from the headers' one.
static const char *const candidates[] = {
#if defined(__APPLE__)
    "libisal.2.dylib", "/opt/homebrew/lib/libisal.2.dylib", "/usr/local/lib/libisal.2.dylib",
#else
    "libisal.so.2",
#endif
};

// A raw deflate stream (zlib level 9, a dynamic Huffman block with matches) and what it
// decodes to: the self-test that the loaded library agrees with the headers it was built with.
static const uint8_t self_test_deflate[] = {
    0xd5, 0xcc, 0x31, 0x0a, 0x84, 0x30, 0x10, 0x05, 0xd0, 0xde, 0x63, 0xfc, 0x5a, 0x51, 0xd7,
    0x55, 0x31, 0x97, 0x59, 0x82, 0x0e, 0x6e, 0x50, 0x67, 0x82, 0x99, 0x54, 0xc1, 0xbb, 0x6b,
    0x29, 0x2c, 0x1e, 0x60, 0xdb, 0x57, 0xbc, 0x84, 0x4d, 0x26, 0x5a, 0x61, 0x20, 0x9e, 0xd8,
    0xba, 0x72, 0xf6, 0x5a, 0xbc, 0x05, 0x39, 0x62, 0xb0, 0x33, 0xc1, 0x24, 0x38, 0xf6, 0x51,
    0x3f, 0x2a, 0x0b, 0x71, 0x80, 0xa9, 0x9b, 0x57, 0x9d, 0x43, 0xa2, 0xde, 0xb1, 0x6b, 0x87,
    0xea, 0x38, 0xb2, 0xf4, 0x07, 0x99, 0x65, 0xfd, 0xee, 0xe2, 0xdd, 0x58, 0x8e, 0xab, 0x8d,
    0x13, 0x15, 0x41, 0x98, 0xe9, 0x9a, 0x9f, 0xe3, 0xfe, 0x67, 0x6d, 0xae, 0xf2, 0x04,
};
#define SELF_TEST_LINE "{\"model\":\"openai/gpt-4o\",\"usage\":{\"input_tokens\":1321,\"output_tokens\":6590}}\n"
static const char self_test_text[] = SELF_TEST_LINE SELF_TEST_LINE SELF_TEST_LINE
    "{\"model\":\"anthropic/claude-sonnet-4\",\"usage\":{\"input_tokens\":7,\"output_tokens\":3}}\n";
// zlib.crc32 of self_test_text (Python).
static const uint32_t self_test_crc = 0xfd24198bu;

static int self_test(void) {
    struct inflate_state *state = malloc(sizeof *state);
    if (state == NULL) return 0;
    uint8_t output[sizeof self_test_text + 64];
    isal_inflate_init_fn(state);
    state->crc_flag = ISAL_DEFLATE;
    state->hist_bits = 0;
    state->next_in = (uint8_t *)self_test_deflate;
    state->avail_in = sizeof self_test_deflate;
    state->next_out = output;
    state->avail_out = sizeof output;
    int status = isal_inflate_fn(state);
    size_t produced = (size_t)(state->next_out - output);
    int ok = status == ISAL_DECOMP_OK && state->block_state == ISAL_BLOCK_FINISH
        && produced == sizeof self_test_text - 1 && memcmp(output, self_test_text, produced) == 0
        && crc32_gzip_refl_fn(0, (const unsigned char *)self_test_text, sizeof self_test_text - 1) == self_test_crc;
    free(state);
    return ok;
}

static int try_load(const char *name) {
    snprintf(library_name, sizeof library_name, "%s", name);
    void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *error = dlerror();
        snprintf(reason, sizeof reason, "%s", error != NULL ? error : "cannot be loaded");
        return 0;
    }
    isal_inflate_init_fn = (void (*)(struct inflate_state *))dlsym(handle, "isal_inflate_init");
    isal_inflate_reset_fn = (void (*)(struct inflate_state *))dlsym(handle, "isal_inflate_reset");
    isal_inflate_fn = (int (*)(struct inflate_state *))dlsym(handle, "isal_inflate");
    crc32_gzip_refl_fn = (uint32_t (*)(uint32_t, const unsigned char *, uint64_t))dlsym(handle, "crc32_gzip_refl");
    if (!isal_inflate_init_fn || !isal_inflate_reset_fn || !isal_inflate_fn || !crc32_gzip_refl_fn) {
        snprintf(reason, sizeof reason, "%s lacks isal_inflate or crc32_gzip_refl", name);
        dlclose(handle);
        return 0;
    }
    if (!self_test()) {
        snprintf(reason, sizeof reason,
            "%s failed tokentally's self-test (a version whose layout differs from the headers tokentally was built with?)",
            name);
        dlclose(handle);
        return 0;
    }
    return 1;  // The handle stays open for the life of the process.
}

static void load(void) {
    const char *override = getenv("TOKENTALLY_ISAL_LIBRARY");
    if (override != NULL && override[0] != '\0') {
        loaded = try_load(override);
    } else {
        for (size_t i = 0; i < sizeof candidates / sizeof candidates[0] && !loaded; i++) {
            loaded = try_load(candidates[i]);
        }
    }
    if (loaded) reason[0] = '\0';
}

int tokentally_isal_available(void) {
    pthread_once(&load_once, load);
    return loaded;
}

const char *tokentally_isal_unavailable_reason(void) {
    pthread_once(&load_once, load);
    return reason;
}

const char *tokentally_isal_library_name(void) {
    pthread_once(&load_once, load);
    return library_name;
}

tokentally_isal_inflater *tokentally_isal_inflater_create(void) {
    if (!tokentally_isal_available()) return NULL;
    tokentally_isal_inflater *inflater = malloc(sizeof *inflater);
    if (inflater == NULL) return NULL;
    isal_inflate_init_fn(&inflater->state);
    inflater->state.crc_flag = ISAL_DEFLATE;  // raw deflate: the gzip framing is done in Swift
    inflater->state.hist_bits = 0;            // the full 32 KiB window
    return inflater;
}

void tokentally_isal_inflater_destroy(tokentally_isal_inflater *inflater) { free(inflater); }

void tokentally_isal_inflater_reset(tokentally_isal_inflater *inflater) {
    isal_inflate_reset_fn(&inflater->state);
    inflater->state.crc_flag = ISAL_DEFLATE;
    inflater->state.hist_bits = 0;
}

int tokentally_isal_inflate(
    tokentally_isal_inflater *inflater,
    const uint8_t *input, size_t input_count,
    uint8_t *output, size_t output_count,
    ptrdiff_t *consumed, size_t *produced, int *code)
{
    struct inflate_state *state = &inflater->state;
    // ISA-L counts in 32 bits; callers pass buffers far below that, but stay safe.
    if (input_count > UINT32_MAX) input_count = UINT32_MAX;
    if (output_count > UINT32_MAX) output_count = UINT32_MAX;
    state->next_in = (uint8_t *)input;
    state->avail_in = (uint32_t)input_count;
    state->next_out = output;
    state->avail_out = (uint32_t)output_count;
    int status = isal_inflate_fn(state);
    *code = status;
    *produced = output_count - state->avail_out;
    if (status < 0) {
        // On invalid data ISA-L can leave avail_in "below zero" (it accounts for bytes it had
        // loaded ahead, found with the fuzz target `inflate`): what it used is meaningless
        // then, and the member is decoded again with zlib or failed at its start anyway.
        *consumed = 0;
        return TOKENTALLY_ISAL_INVALID;
    }
    *consumed = (ptrdiff_t)input_count - (ptrdiff_t)state->avail_in;
    if (state->block_state == ISAL_BLOCK_FINISH) {
        // Whole bytes ISA-L loaded past the final block's last bit belong to what follows
        // (the gzip trailer): hand them back. The bits left over are the last byte's padding.
        int held = state->read_in_length / 8;
        *consumed -= held;
        state->read_in_length -= held * 8;
        return TOKENTALLY_ISAL_END;
    }
    return TOKENTALLY_ISAL_PROGRESS;
}

uint32_t tokentally_isal_crc32(uint32_t crc, const uint8_t *bytes, size_t count) {
    return crc32_gzip_refl_fn(crc, bytes, count);
}

#else  // Built without ISA-L's headers: never available.

int tokentally_isal_available(void) { return 0; }

const char *tokentally_isal_unavailable_reason(void) {
    return "tokentally was built without ISA-L's headers (libisal-dev); install them and rebuild";
}

const char *tokentally_isal_library_name(void) { return ""; }

tokentally_isal_inflater *tokentally_isal_inflater_create(void) { return NULL; }

void tokentally_isal_inflater_destroy(tokentally_isal_inflater *inflater) { (void)inflater; }

void tokentally_isal_inflater_reset(tokentally_isal_inflater *inflater) { (void)inflater; }

int tokentally_isal_inflate(
    tokentally_isal_inflater *inflater,
    const uint8_t *input, size_t input_count,
    uint8_t *output, size_t output_count,
    ptrdiff_t *consumed, size_t *produced, int *code)
{
    (void)inflater; (void)input; (void)input_count; (void)output; (void)output_count;
    *consumed = 0;
    *produced = 0;
    *code = 0;
    return TOKENTALLY_ISAL_INVALID;
}

uint32_t tokentally_isal_crc32(uint32_t crc, const uint8_t *bytes, size_t count) {
    (void)bytes; (void)count;
    return crc;
}

#endif
