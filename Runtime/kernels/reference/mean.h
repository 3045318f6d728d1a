/*
 * reference/mean.h - MEAN over any set of axes: float32, and int8 as TFLite Micro
 * computes it (sum, subtract the zero point, one requantization whose
 * multiplier already includes the division by the count).
 *
 * Every input element is added to the output element it reduces to: its index
 * with the reduced dimensions dropped.
 */
#ifndef RUNE_KERNELS_REFERENCE_MEAN_H
#define RUNE_KERNELS_REFERENCE_MEAN_H

#include "kernels/common.h"

typedef struct rune_mean_params {
    /* Input dimensions (up to 6) and which are reduced. */
    int32_t dims[6];
    int32_t reduced[6];
    int32_t count;        /* elements per output element */
    int32_t output_size;
    int32_t input_zero_point, output_zero_point;
    int32_t multiplier, shift;
} rune_mean_params;

/* Calls BODY(output_index, input_index) for every input element. */
#define RUNE_FOR_EACH_REDUCED(p, BODY)                                                          \
    do {                                                                                        \
        int32_t input_index = 0;                                                                \
        for (int32_t i0 = 0; i0 < (p)->dims[0]; i0++)                                          \
        for (int32_t i1 = 0; i1 < (p)->dims[1]; i1++)                                          \
        for (int32_t i2 = 0; i2 < (p)->dims[2]; i2++)                                          \
        for (int32_t i3 = 0; i3 < (p)->dims[3]; i3++)                                          \
        for (int32_t i4 = 0; i4 < (p)->dims[4]; i4++)                                          \
        for (int32_t i5 = 0; i5 < (p)->dims[5]; i5++) {                                        \
            const int32_t index[6] = {i0, i1, i2, i3, i4, i5};                                  \
            int32_t output_index = 0;                                                           \
            for (int d = 0; d < 6; d++) {                                                       \
                if (!(p)->reduced[d]) output_index = output_index * (p)->dims[d] + index[d];    \
            }                                                                                   \
            BODY;                                                                               \
            input_index++;                                                                      \
        }                                                                                       \
    } while (0)

static void rune_mean_f32(const rune_mean_params *p, const float *input, float *output) {
    for (int32_t i = 0; i < p->output_size; i++) output[i] = 0.0f;
    RUNE_FOR_EACH_REDUCED(p, output[output_index] += input[input_index]);
    for (int32_t i = 0; i < p->output_size; i++) output[i] = output[i] / (float)p->count;
}

/* `scratch` holds output_size int32 sums. */
static void rune_mean_s8(const rune_mean_params *p, const int8_t *input, int8_t *output, int32_t *scratch) {
    for (int32_t i = 0; i < p->output_size; i++) scratch[i] = 0;
    RUNE_FOR_EACH_REDUCED(p, scratch[output_index] += input[input_index]);
    for (int32_t i = 0; i < p->output_size; i++) {
        const int32_t shifted = scratch[i] - p->input_zero_point * p->count;
        output[i] = (int8_t)rune_requantize(shifted, p->multiplier, p->shift, p->output_zero_point, -128, 127);
    }
}

#endif /* RUNE_KERNELS_REFERENCE_MEAN_H */
