/*
 * reference/elementwise.h - ADD, SUB and MUL with broadcasting: float32 and int8
 * (bit-exact with TFLite Micro: inputs rescaled to a common scale with 20
 * bits of headroom for ADD and SUB, one requantization for MUL).
 *
 * Broadcasting is described by per-input strides over the output's (up to 6)
 * dimensions; a broadcast dimension has stride 0. runec computes them.
 */
#ifndef RUNE_KERNELS_REFERENCE_ELEMENTWISE_H
#define RUNE_KERNELS_REFERENCE_ELEMENTWISE_H

#include "kernels/common.h"

typedef struct rune_elementwise_params {
    int32_t dims[6];
    int32_t strides1[6];
    int32_t strides2[6];
    float float_min, float_max;
    int32_t input1_offset, input2_offset, output_offset;
    int32_t left_shift;
    int32_t input1_multiplier, input1_shift;
    int32_t input2_multiplier, input2_shift;
    int32_t output_multiplier, output_shift;
    int32_t activation_min, activation_max;
} rune_elementwise_params;

/* Visits every output element with the offsets of both inputs. */
#define RUNE_FOR_EACH_ELEMENT(p, BODY)                                                              \
    do {                                                                                            \
        int32_t o = 0;                                                                              \
        for (int32_t i0 = 0; i0 < (p)->dims[0]; i0++)                                              \
        for (int32_t i1 = 0; i1 < (p)->dims[1]; i1++)                                              \
        for (int32_t i2 = 0; i2 < (p)->dims[2]; i2++)                                              \
        for (int32_t i3 = 0; i3 < (p)->dims[3]; i3++)                                              \
        for (int32_t i4 = 0; i4 < (p)->dims[4]; i4++)                                              \
        for (int32_t i5 = 0; i5 < (p)->dims[5]; i5++) {                                            \
            const int32_t a = i0 * (p)->strides1[0] + i1 * (p)->strides1[1] + i2 * (p)->strides1[2] \
                + i3 * (p)->strides1[3] + i4 * (p)->strides1[4] + i5 * (p)->strides1[5];           \
            const int32_t b = i0 * (p)->strides2[0] + i1 * (p)->strides2[1] + i2 * (p)->strides2[2] \
                + i3 * (p)->strides2[3] + i4 * (p)->strides2[4] + i5 * (p)->strides2[5];           \
            BODY;                                                                                   \
            o++;                                                                                    \
        }                                                                                           \
    } while (0)

static void rune_add_f32(const rune_elementwise_params *p, const float *x, const float *y, float *out) {
    RUNE_FOR_EACH_ELEMENT(p, out[o] = rune_clamp_f32(x[a] + y[b], p->float_min, p->float_max));
}

static void rune_sub_f32(const rune_elementwise_params *p, const float *x, const float *y, float *out) {
    RUNE_FOR_EACH_ELEMENT(p, out[o] = rune_clamp_f32(x[a] - y[b], p->float_min, p->float_max));
}

static void rune_mul_f32(const rune_elementwise_params *p, const float *x, const float *y, float *out) {
    RUNE_FOR_EACH_ELEMENT(p, out[o] = rune_clamp_f32(x[a] * y[b], p->float_min, p->float_max));
}

static inline int32_t rune_add_sub_s8(const rune_elementwise_params *p, int32_t x, int32_t y, int subtract) {
    const int32_t shifted1 = rune_shift_left(x + p->input1_offset, p->left_shift);
    const int32_t shifted2 = rune_shift_left(y + p->input2_offset, p->left_shift);
    const int32_t scaled1 = rune_multiply_by_quantized_multiplier(shifted1, p->input1_multiplier, p->input1_shift);
    const int32_t scaled2 = rune_multiply_by_quantized_multiplier(shifted2, p->input2_multiplier, p->input2_shift);
    const int32_t raw = subtract ? scaled1 - scaled2 : scaled1 + scaled2;
    return rune_requantize(raw, p->output_multiplier, p->output_shift, p->output_offset,
                           p->activation_min, p->activation_max);
}

static void rune_add_s8(const rune_elementwise_params *p, const int8_t *x, const int8_t *y, int8_t *out) {
    RUNE_FOR_EACH_ELEMENT(p, out[o] = (int8_t)rune_add_sub_s8(p, x[a], y[b], 0));
}

static void rune_sub_s8(const rune_elementwise_params *p, const int8_t *x, const int8_t *y, int8_t *out) {
    RUNE_FOR_EACH_ELEMENT(p, out[o] = (int8_t)rune_add_sub_s8(p, x[a], y[b], 1));
}

static void rune_mul_s8(const rune_elementwise_params *p, const int8_t *x, const int8_t *y, int8_t *out) {
    RUNE_FOR_EACH_ELEMENT(p, {
        const int32_t product = ((int32_t)x[a] + p->input1_offset) * ((int32_t)y[b] + p->input2_offset);
        out[o] = (int8_t)rune_requantize(product, p->output_multiplier, p->output_shift, p->output_offset,
                                         p->activation_min, p->activation_max);
    });
}

#endif /* RUNE_KERNELS_REFERENCE_ELEMENTWISE_H */
