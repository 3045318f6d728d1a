/*
 * most_confident_indices - the indices of the `count` largest elements, the
 * largest first. Ties keep the lower index first (the original sorted stably);
 * NaN ranks below every number.
 */
#ifndef RUNE_BLOCKS_MOST_CONFIDENT_INDICES_H
#define RUNE_BLOCKS_MOST_CONFIDENT_INDICES_H

#include "blocks/elements.h"

static inline int rune_ranks_above(double a, uint32_t ia, double b, uint32_t ib) {
    if (a != a) return 0;
    if (b != b) return 1;
    return a > b || (a == b && ia < ib);
}

static inline int32_t rune_block_most_confident_indices(rune_element_type type, const void *input,
                                                        uint32_t count, uint32_t *output,
                                                        uint32_t wanted) {
    if (wanted > count) return rune_block_fail("most_confident_indices: more indices wanted than elements");
    for (uint32_t k = 0; k < wanted; k++) {
        /* The best element not already taken: one that ranks below output[k - 1]. */
        uint32_t best = count;
        double best_value = 0.0;
        for (uint32_t i = 0; i < count; i++) {
            double value = rune_element_get(type, input, i);
            if (k > 0) {
                uint32_t previous = output[k - 1];
                if (!rune_ranks_above(rune_element_get(type, input, previous), previous, value, i)) continue;
            }
            if (best == count || rune_ranks_above(value, i, best_value, best)) {
                best = i;
                best_value = value;
            }
        }
        output[k] = best;
    }
    return RUNE_OK;
}

#endif
