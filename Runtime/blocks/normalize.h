/*
 * normalize - rescales a tensor so its smallest element becomes 0 and its
 * largest 1: (x - min) / (max - min) over the whole tensor. A constant tensor
 * is passed through unchanged. Integer tensors use integer division, as the
 * original generic block did.
 */
#ifndef RUNE_BLOCKS_NORMALIZE_H
#define RUNE_BLOCKS_NORMALIZE_H

#include "blocks/elements.h"

#define RUNE_DEFINE_NORMALIZE(suffix, ctype)                                                   \
    static inline int32_t rune_block_normalize_##suffix(const ctype *input, ctype *output,     \
                                                        uint32_t count) {                      \
        if (count == 0) return RUNE_OK;                                                        \
        ctype lo = input[0], hi = input[0];                                                    \
        for (uint32_t i = 1; i < count; i++) {                                                 \
            if (input[i] < lo) lo = input[i];                                                  \
            if (hi < input[i]) hi = input[i];                                                  \
        }                                                                                      \
        if (lo == hi) {                                                                        \
            if (output != input) for (uint32_t i = 0; i < count; i++) output[i] = input[i];    \
            return RUNE_OK;                                                                    \
        }                                                                                      \
        ctype range = (ctype)(hi - lo);                                                        \
        for (uint32_t i = 0; i < count; i++) output[i] = (ctype)((ctype)(input[i] - lo) / range); \
        return RUNE_OK;                                                                        \
    }

RUNE_DEFINE_NORMALIZE(f32, float)
RUNE_DEFINE_NORMALIZE(f64, double)
RUNE_DEFINE_NORMALIZE(u8, uint8_t)
RUNE_DEFINE_NORMALIZE(i8, int8_t)
RUNE_DEFINE_NORMALIZE(u16, uint16_t)
RUNE_DEFINE_NORMALIZE(i16, int16_t)
RUNE_DEFINE_NORMALIZE(u32, uint32_t)
RUNE_DEFINE_NORMALIZE(i32, int32_t)
RUNE_DEFINE_NORMALIZE(u64, uint64_t)
RUNE_DEFINE_NORMALIZE(i64, int64_t)

#endif
