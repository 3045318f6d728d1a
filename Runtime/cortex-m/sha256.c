/*
 * sha256.c - SHA-256 (sha256.h), from FIPS 180-4 section 6.2.
 */
#include "cortex-m/sha256.h"

/* The first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t round_constants[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
};

static uint32_t rotate_right(uint32_t value, uint32_t count) { return (value >> count) | (value << (32u - count)); }

static void compress(uint32_t state[8], const uint8_t block[64]) {
    uint32_t schedule[64];
    for (uint32_t t = 0; t < 16; t++) {
        schedule[t] = (uint32_t)block[4 * t] << 24 | (uint32_t)block[4 * t + 1] << 16 |
                      (uint32_t)block[4 * t + 2] << 8 | (uint32_t)block[4 * t + 3];
    }
    for (uint32_t t = 16; t < 64; t++) {
        const uint32_t s0 = rotate_right(schedule[t - 15], 7) ^ rotate_right(schedule[t - 15], 18) ^ (schedule[t - 15] >> 3);
        const uint32_t s1 = rotate_right(schedule[t - 2], 17) ^ rotate_right(schedule[t - 2], 19) ^ (schedule[t - 2] >> 10);
        schedule[t] = schedule[t - 16] + s0 + schedule[t - 7] + s1;
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (uint32_t t = 0; t < 64; t++) {
        const uint32_t sum1 = rotate_right(e, 6) ^ rotate_right(e, 11) ^ rotate_right(e, 25);
        const uint32_t choice = (e & f) ^ (~e & g);
        const uint32_t first = h + sum1 + choice + round_constants[t] + schedule[t];
        const uint32_t sum0 = rotate_right(a, 2) ^ rotate_right(a, 13) ^ rotate_right(a, 22);
        const uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
        const uint32_t second = sum0 + majority;
        h = g;
        g = f;
        f = e;
        e = d + first;
        d = c;
        c = b;
        b = a;
        a = first + second;
    }
    state[0] += a; state[1] += b; state[2] += c; state[3] += d;
    state[4] += e; state[5] += f; state[6] += g; state[7] += h;
}

void rune_sha256_init(rune_sha256 *hash) {
    static const uint32_t initial[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                        0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    for (uint32_t i = 0; i < 8; i++) hash->state[i] = initial[i];
    hash->length = 0;
    hash->used = 0;
}

void rune_sha256_update(rune_sha256 *hash, const uint8_t *data, size_t length) {
    hash->length += length;
    if (hash->used > 0) {
        while (length > 0 && hash->used < 64) {
            hash->block[hash->used++] = *data++;
            length--;
        }
        if (hash->used < 64) return;
        compress(hash->state, hash->block);
        hash->used = 0;
    }
    /* Whole blocks straight from the caller's bytes, without copying. */
    while (length >= 64) {
        compress(hash->state, data);
        data += 64;
        length -= 64;
    }
    while (length > 0) {
        hash->block[hash->used++] = *data++;
        length--;
    }
}

void rune_sha256_final(rune_sha256 *hash, uint8_t digest[RUNE_SHA256_DIGEST_BYTES]) {
    const uint64_t bits = hash->length * 8u;
    hash->block[hash->used++] = 0x80;
    if (hash->used > 56) {
        while (hash->used < 64) hash->block[hash->used++] = 0;
        compress(hash->state, hash->block);
        hash->used = 0;
    }
    while (hash->used < 56) hash->block[hash->used++] = 0;
    for (uint32_t i = 0; i < 8; i++) hash->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    compress(hash->state, hash->block);
    for (uint32_t i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(hash->state[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(hash->state[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(hash->state[i] >> 8);
        digest[4 * i + 3] = (uint8_t)hash->state[i];
    }
    rune_sha256_init(hash);
}
