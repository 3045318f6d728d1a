/*
 * sha256.h - SHA-256 (FIPS 180-4), for verifying images on a board and for the
 * host's content keys: `rune` hashes through the same file (CRuneShared).
 *
 * Freestanding: no libc, no allocation; the state is the caller's.
 */
#ifndef RUNE_CORTEX_M_SHA256_H
#define RUNE_CORTEX_M_SHA256_H

#include "rune.h"

#define RUNE_SHA256_DIGEST_BYTES 32

typedef struct rune_sha256 {
    uint32_t state[8];
    uint64_t length;   /* bytes fed so far */
    uint8_t block[64]; /* bytes not yet compressed */
    uint32_t used;     /* how many of `block` are filled */
} rune_sha256;

void rune_sha256_init(rune_sha256 *hash);
/* Hashes `length` bytes at `data` after what was fed before. */
void rune_sha256_update(rune_sha256 *hash, const uint8_t *data, size_t length);
/* Pads, writes the 32-byte digest, and leaves `hash` to be initialized again. */
void rune_sha256_final(rune_sha256 *hash, uint8_t digest[RUNE_SHA256_DIGEST_BYTES]);

#endif /* RUNE_CORTEX_M_SHA256_H */
