// RuneShared: the C of Runtime/ that the host runs as well as the boards, so the two agree by
// construction rather than by testing two implementations against each other:
// - JSON numbers and string escapes of SERIAL records (Runtime/cortex-m/json.h);
// - the RAND capability's stream (Runtime/cortex-m/random.h);
// - SHA-256 (Runtime/cortex-m/sha256.h), which boards verify images with.
//
// The prototypes are repeated here because Runtime's headers assume a freestanding build;
// RuneShared.c includes both, so the compiler checks that they match.
#ifndef RUNE_SHARED_H
#define RUNE_SHARED_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Longest spelling of a number (RUNE_JSON_NUMBER_MAX).
#define RUNE_SHARED_JSON_NUMBER_MAX 32

uint32_t rune_json_f32_bits(char *out, uint32_t bits);
uint32_t rune_json_f64_bits(char *out, uint64_t bits);
uint32_t rune_json_escape_byte(char *out, uint8_t byte);

uint64_t rune_random_next(uint64_t *state);
uint64_t rune_random_stream_start(uint64_t seed, const uint8_t *name, uint32_t length);
uint32_t rune_random_fill(uint64_t *state, uint8_t element_type, uint32_t elements, uint8_t *buffer);

#define RUNE_SHARED_SHA256_DIGEST_BYTES 32

/// Room for sha256.h's `rune_sha256` state (RuneShared.c checks that it fits), so that Swift
/// can hold one by value without seeing the freestanding header.
typedef struct rune_shared_sha256 {
    uint64_t storage[16];
} rune_shared_sha256;

void rune_shared_sha256_init(rune_shared_sha256 *hash);
void rune_shared_sha256_update(rune_shared_sha256 *hash, const uint8_t *data, size_t length);
void rune_shared_sha256_final(rune_shared_sha256 *hash, uint8_t *digest);

#ifdef __cplusplus
}
#endif
#endif
