/*
 * modulo - each element's remainder after division by `modulus`, computed in
 * f32 like the original block (the element converted to f32, `%`, converted
 * back), so an angle in degrees wraps into [0, 360).
 */
#ifndef RUNE_BLOCKS_MODULO_H
#define RUNE_BLOCKS_MODULO_H

#include "blocks/elements.h"

static inline int32_t rune_block_modulo(rune_element_type type, const void *input, void *output,
                                        uint32_t count, float modulus) {
    for (uint32_t i = 0; i < count; i++) {
        float value = (float)rune_element_get(type, input, i);
        rune_element_set(type, output, i, (double)rune_fmodf(value, modulus));
    }
    return RUNE_OK;
}

#endif
