/*
 * reference/shape_ops.h - operators that move data without arithmetic: PAD,
 * CONCATENATION (inputs share the output's quantization), and the copy a
 * RESHAPE needs when its input and output cannot share a buffer.
 */
#ifndef RUNE_KERNELS_REFERENCE_SHAPE_OPS_H
#define RUNE_KERNELS_REFERENCE_SHAPE_OPS_H

#include "kernels/common.h"

static void rune_copy(const void *input, void *output, uint32_t bytes) {
    const uint8_t *from = (const uint8_t *)input;
    uint8_t *to = (uint8_t *)output;
    if (from == to) return;
    for (uint32_t i = 0; i < bytes; i++) to[i] = from[i];
}

typedef struct rune_pad_params {
    /* Input dimensions, and padding before and after each, over up to 5 dimensions. */
    int32_t input_dims[5];
    int32_t before[5];
    int32_t after[5];
    int32_t element_size;
} rune_pad_params;

/* Fills the output with `pad_value` (one element of element_size bytes) and copies the input in. */
static void rune_pad(const rune_pad_params *p, const void *input, const void *pad_value, void *output) {
    int32_t out_dims[5];
    for (int d = 0; d < 5; d++) out_dims[d] = p->input_dims[d] + p->before[d] + p->after[d];
    const int32_t size = p->element_size;
    const uint8_t *value = (const uint8_t *)pad_value;
    uint8_t *out = (uint8_t *)output;
    const uint8_t *in = (const uint8_t *)input;
    int32_t index = 0;
    for (int32_t a = 0; a < out_dims[0]; a++)
    for (int32_t b = 0; b < out_dims[1]; b++)
    for (int32_t c = 0; c < out_dims[2]; c++)
    for (int32_t d = 0; d < out_dims[3]; d++)
    for (int32_t e = 0; e < out_dims[4]; e++) {
        const int32_t i0 = a - p->before[0], i1 = b - p->before[1], i2 = c - p->before[2];
        const int32_t i3 = d - p->before[3], i4 = e - p->before[4];
        const int inside = i0 >= 0 && i0 < p->input_dims[0] && i1 >= 0 && i1 < p->input_dims[1]
            && i2 >= 0 && i2 < p->input_dims[2] && i3 >= 0 && i3 < p->input_dims[3]
            && i4 >= 0 && i4 < p->input_dims[4];
        const uint8_t *source = value;
        if (inside) {
            const int32_t flat = (((i0 * p->input_dims[1] + i1) * p->input_dims[2] + i2) * p->input_dims[3] + i3)
                * p->input_dims[4] + i4;
            source = in + flat * size;
        }
        for (int32_t k = 0; k < size; k++) out[index * size + k] = source[k];
        index++;
    }
}

/* Concatenation along an axis: outer_size blocks, each the inputs' slices in order. */
static void rune_concatenate(int32_t outer_size, int32_t input_count, const void *const *inputs,
                             const int32_t *slice_bytes, void *output) {
    uint8_t *out = (uint8_t *)output;
    for (int32_t o = 0; o < outer_size; o++) {
        for (int32_t i = 0; i < input_count; i++) {
            const uint8_t *in = (const uint8_t *)inputs[i] + o * slice_bytes[i];
            for (int32_t k = 0; k < slice_bytes[i]; k++) *out++ = in[k];
        }
    }
}

#endif /* RUNE_KERNELS_REFERENCE_SHAPE_OPS_H */
