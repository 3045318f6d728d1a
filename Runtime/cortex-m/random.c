/*
 * random.c - the RAND stream (random.h).
 */
#include "cortex-m/random.h"

uint64_t rune_random_next(uint64_t *state) {
    *state += 0x9e3779b97f4a7c15ull;
    uint64_t z = *state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t rune_random_stream_start(uint64_t seed, const uint8_t *name, uint32_t length) {
    uint32_t hash = 0x811c9dc5u;
    for (uint32_t i = 0; i < length; i++) {
        hash ^= name[i];
        hash *= 0x01000193u;
    }
    return seed ^ ((uint64_t)hash * 0x9e3779b97f4a7c15ull);
}

static uint32_t highest_bit(uint64_t value) {
    uint32_t bit = 0;
    while (value >>= 1) bit++;
    return bit;
}

/*
 * m x 2^-24 as f32 and m x 2^-53 as f64 bit patterns, built directly: both are
 * exact (m has at most 24 or 53 bits), and building them avoids the
 * integer-to-float helpers of libgcc, which the firmware does not link.
 */
static uint32_t unit_f32_bits(uint32_t m) {
    if (m == 0) return 0;
    const uint32_t top = highest_bit(m);
    return ((top + 127u - 24u) << 23) | ((m << (23u - top)) & 0x7fffffu);
}

static uint64_t unit_f64_bits(uint64_t m) {
    if (m == 0) return 0;
    const uint64_t top = highest_bit(m);
    return ((top + 1023u - 53u) << 52) | ((m << (52u - top)) & 0xfffffffffffffull);
}

static void store_le(uint8_t *to, uint64_t value, uint32_t width) {
    for (uint32_t i = 0; i < width; i++) to[i] = (uint8_t)(value >> (8 * i));
}

static uint32_t random_width(uint8_t element_type) {
    switch (element_type) {
    case RUNE_U8: case RUNE_I8: return 1;
    case RUNE_U16: case RUNE_I16: return 2;
    case RUNE_U32: case RUNE_I32: case RUNE_F32: return 4;
    case RUNE_U64: case RUNE_I64: case RUNE_F64: return 8;
    default: return 0;
    }
}

uint32_t rune_random_fill(uint64_t *state, uint8_t element_type, uint32_t elements, uint8_t *buffer) {
    const uint32_t width = random_width(element_type);
    if (width == 0) return 0;
    for (uint32_t i = 0; i < elements; i++) {
        const uint64_t bits = rune_random_next(state);
        uint8_t *element = buffer + (uintptr_t)i * width;
        switch (element_type) {
        case RUNE_F32: store_le(element, unit_f32_bits((uint32_t)(bits >> 40)), 4); break;
        case RUNE_F64: store_le(element, unit_f64_bits(bits >> 11), 8); break;
        default: store_le(element, bits, width); break;
        }
    }
    return elements * width;
}
