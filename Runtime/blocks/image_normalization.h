/*
 * image-normalization - maps integer pixels onto [0, 1] by the range of their
 * type: (x - min) / (max - min) in f32, so u8 255 becomes 1.0.
 */
#ifndef RUNE_BLOCKS_IMAGE_NORMALIZATION_H
#define RUNE_BLOCKS_IMAGE_NORMALIZATION_H

#include "blocks/elements.h"

static inline int32_t rune_block_image_normalization(rune_element_type type, const void *input,
                                                     float *output, uint32_t count) {
    double lo, hi;
    rune_element_bounds(type, &lo, &hi);
    float min = (float)lo, max = (float)hi;
    for (uint32_t i = 0; i < count; i++) {
        float value = (float)rune_element_get(type, input, i);
        output[i] = (value - min) / (max - min);
    }
    return RUNE_OK;
}

#endif
