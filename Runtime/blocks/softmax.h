/*
 * softmax - exp(x) / sum(exp(x)) in f32, summed in element order, without the
 * max subtraction (as the original block computed it).
 */
#ifndef RUNE_BLOCKS_SOFTMAX_H
#define RUNE_BLOCKS_SOFTMAX_H

#include "rune.h"
#include "lib/rune_math.h"

static inline int32_t rune_block_softmax(const float *input, float *output, uint32_t count) {
    float sum = 0.0f;
    for (uint32_t i = 0; i < count; i++) {
        output[i] = rune_expf(input[i]);
        sum += output[i];
    }
    for (uint32_t i = 0; i < count; i++) output[i] = output[i] / sum;
    return RUNE_OK;
}

#endif
