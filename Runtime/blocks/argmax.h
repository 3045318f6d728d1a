/*
 * argmax - the index of the largest element, as a one-element u32 tensor.
 * Like the original, the search starts from (index 0, value 0.0) and only a
 * strictly larger element wins, so an all-negative input yields 0.
 */
#ifndef RUNE_BLOCKS_ARGMAX_H
#define RUNE_BLOCKS_ARGMAX_H

#include "rune.h"

static inline int32_t rune_block_argmax(const float *input, uint32_t count, uint32_t *output) {
    uint32_t index = 0;
    float best = 0.0f;
    for (uint32_t i = 0; i < count; i++) {
        if (input[i] > best) {
            index = i;
            best = input[i];
        }
    }
    output[0] = index;
    return RUNE_OK;
}

#endif
