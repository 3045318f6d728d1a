/*
 * elements.h - reading and writing tensor elements of any numeric type.
 *
 * Blocks that accept several element types (modulo, most_confident_indices,
 * image-normalization, label) are written once over double and use these
 * accessors. runec always passes a constant element type, so after inlining
 * the switch folds away and each use compiles to a loop over one type.
 */
#ifndef RUNE_BLOCKS_ELEMENTS_H
#define RUNE_BLOCKS_ELEMENTS_H

#include "rune.h"
#include "lib/rune_math.h"

static inline double rune_element_get(rune_element_type type, const void *data, uint32_t i) {
    switch (type) {
    case RUNE_U8: return ((const uint8_t *)data)[i];
    case RUNE_I8: return ((const int8_t *)data)[i];
    case RUNE_U16: return ((const uint16_t *)data)[i];
    case RUNE_I16: return ((const int16_t *)data)[i];
    case RUNE_U32: return ((const uint32_t *)data)[i];
    case RUNE_I32: return ((const int32_t *)data)[i];
    case RUNE_U64: return (double)((const uint64_t *)data)[i];
    case RUNE_I64: return (double)((const int64_t *)data)[i];
    case RUNE_F32: return ((const float *)data)[i];
    case RUNE_F64: return ((const double *)data)[i];
    default: return 0.0;
    }
}

/* Converts like Rust's `as`: toward zero, saturating at the type's bounds, NaN to 0. */
#define RUNE_SATURATE(ctype, lo, hi) \
    (value != value ? (ctype)0 : value <= (double)(lo) ? (ctype)(lo) : value >= (double)(hi) ? (ctype)(hi) : (ctype)value)

static inline void rune_element_set(rune_element_type type, void *data, uint32_t i, double value) {
    switch (type) {
    case RUNE_U8: ((uint8_t *)data)[i] = RUNE_SATURATE(uint8_t, 0, 255); break;
    case RUNE_I8: ((int8_t *)data)[i] = RUNE_SATURATE(int8_t, -128, 127); break;
    case RUNE_U16: ((uint16_t *)data)[i] = RUNE_SATURATE(uint16_t, 0, 65535); break;
    case RUNE_I16: ((int16_t *)data)[i] = RUNE_SATURATE(int16_t, -32768, 32767); break;
    case RUNE_U32: ((uint32_t *)data)[i] = RUNE_SATURATE(uint32_t, 0, 4294967295u); break;
    case RUNE_I32: ((int32_t *)data)[i] = RUNE_SATURATE(int32_t, -2147483647 - 1, 2147483647); break;
    case RUNE_U64: ((uint64_t *)data)[i] = value != value || value <= 0.0 ? 0u
                       : value >= 18446744073709551616.0 ? ~(uint64_t)0 : (uint64_t)value; break;
    case RUNE_I64: ((int64_t *)data)[i] = value != value ? 0
                       : value <= -9223372036854775808.0 ? (int64_t)(-9223372036854775807LL - 1)
                       : value >= 9223372036854775808.0 ? 9223372036854775807LL : (int64_t)value; break;
    case RUNE_F32: ((float *)data)[i] = (float)value; break;
    case RUNE_F64: ((double *)data)[i] = value; break;
    default: break;
    }
}

/* The smallest and largest value of an integer type, as Rust's Bounded gives them. */
static inline void rune_element_bounds(rune_element_type type, double *lo, double *hi) {
    switch (type) {
    case RUNE_U8: *lo = 0; *hi = 255; break;
    case RUNE_I8: *lo = -128; *hi = 127; break;
    case RUNE_U16: *lo = 0; *hi = 65535; break;
    case RUNE_I16: *lo = -32768; *hi = 32767; break;
    case RUNE_U32: *lo = 0; *hi = 4294967295.0; break;
    case RUNE_I32: *lo = -2147483648.0; *hi = 2147483647.0; break;
    default: *lo = 0; *hi = 1; break;
    }
}

/* Rust's saturating `f64 as i8`. */
static inline int8_t rune_saturate_i8(double value) {
    return RUNE_SATURATE(int8_t, -128, 127);
}

/* Rust's saturating `f64 as u32`. */
static inline uint32_t rune_saturate_u32(double value) {
    return RUNE_SATURATE(uint32_t, 0, 4294967295u);
}

/* Reports a block failure through the host's log and returns RUNE_ERROR_BLOCK. */
static inline int32_t rune_block_fail(const char *message) {
    uint32_t length = 0;
    while (message[length]) length++;
    rune_log_write(RUNE_LOG_ERROR, message, length);
    return RUNE_ERROR_BLOCK;
}

#endif /* RUNE_BLOCKS_ELEMENTS_H */
