// The host's build of the Runtime/ files the boards compile (see RuneShared.h).
#include "RuneShared.h"
#include "cortex-m/json.c"
#include "cortex-m/random.c"
#include "cortex-m/sha256.c"

_Static_assert(RUNE_SHARED_JSON_NUMBER_MAX == RUNE_JSON_NUMBER_MAX, "RuneShared.h and json.h disagree");
_Static_assert(RUNE_SHARED_SHA256_DIGEST_BYTES == RUNE_SHA256_DIGEST_BYTES, "RuneShared.h and sha256.h disagree");
_Static_assert(sizeof(rune_sha256) <= sizeof(rune_shared_sha256) && _Alignof(rune_sha256) <= _Alignof(rune_shared_sha256),
               "rune_shared_sha256 cannot hold a rune_sha256");

void rune_shared_sha256_init(rune_shared_sha256 *hash) { rune_sha256_init((rune_sha256 *)(void *)hash); }

void rune_shared_sha256_update(rune_shared_sha256 *hash, const uint8_t *data, size_t length) {
    rune_sha256_update((rune_sha256 *)(void *)hash, data, length);
}

void rune_shared_sha256_final(rune_shared_sha256 *hash, uint8_t *digest) {
    rune_sha256_final((rune_sha256 *)(void *)hash, digest);
}
