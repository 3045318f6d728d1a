/*
 * label - maps each index to its label: output[i] = labels[input[i]]. The
 * labels live in the rune's read-only data; the output tensor holds
 * rune_string views of them. An index past the last label fails the call.
 */
#ifndef RUNE_BLOCKS_LABEL_H
#define RUNE_BLOCKS_LABEL_H

#include "blocks/elements.h"

static inline int32_t rune_block_label(rune_element_type type, const void *input, uint32_t count,
                                       const rune_string *labels, uint32_t label_count,
                                       rune_string *output) {
    for (uint32_t i = 0; i < count; i++) {
        double index = rune_element_get(type, input, i);
        if (!(index >= 0.0) || index >= (double)label_count)
            return rune_block_fail("label: index out of range of the labels");
        output[i] = labels[(uint32_t)index];
    }
    return RUNE_OK;
}

#endif
