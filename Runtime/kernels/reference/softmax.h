/*
 * reference/softmax.h - SOFTMAX over the last dimension: float32, and int8 in with int8
 * or int16 out through TFLite Micro's fixed-point exp and reciprocal
 * (bit-exact), and uint8 (older models) the same way.
 */
#ifndef RUNE_KERNELS_REFERENCE_SOFTMAX_H
#define RUNE_KERNELS_REFERENCE_SOFTMAX_H

#include "kernels/common.h"

typedef struct rune_softmax_params {
    int32_t outer_size, depth;
    float beta;
    /* Quantized: the input difference scaled by beta into Q5.26, and the cutoff. */
    int32_t input_multiplier, input_left_shift, diff_min;
} rune_softmax_params;

static void rune_softmax_f32(const rune_softmax_params *p, const float *input, float *output) {
    for (int32_t i = 0; i < p->outer_size; i++) {
        const float *in = input + i * p->depth;
        float *out = output + i * p->depth;
        float max = in[0];
        for (int32_t c = 1; c < p->depth; c++) if (in[c] > max) max = in[c];
        float sum = 0.0f;
        for (int32_t c = 0; c < p->depth; c++) {
            out[c] = rune_expf((in[c] - max) * p->beta);
            sum += out[c];
        }
        for (int32_t c = 0; c < p->depth; c++) out[c] = out[c] / sum;
    }
}

/* exp(input - max) in Q0, or 0 below the cutoff. */
static inline int32_t rune_softmax_exp(const rune_softmax_params *p, int32_t diff) {
    const int32_t rescaled = rune_multiply_by_quantized_multiplier(diff, p->input_multiplier, p->input_left_shift);
    return rune_fx_exp_on_negative_values(rescaled, 5);
}

/* `output_bits` is 8 or 16, `output_min` the output type's minimum. */
#define RUNE_DEFINE_QUANTIZED_SOFTMAX(name, TIN, TOUT, output_bits, output_min, output_max)   \
    static void name(const rune_softmax_params *p, const TIN *input, TOUT *output) {           \
        for (int32_t i = 0; i < p->outer_size; i++) {                                          \
            const TIN *in = input + i * p->depth;                                              \
            TOUT *out = output + i * p->depth;                                                 \
            int32_t max = in[0];                                                               \
            for (int32_t c = 1; c < p->depth; c++) if (in[c] > max) max = in[c];               \
            int32_t sum_of_exps = 0; /* Q12.19 */                                              \
            for (int32_t c = 0; c < p->depth; c++) {                                           \
                const int32_t diff = (int32_t)in[c] - max;                                     \
                if (diff >= p->diff_min) {                                                     \
                    sum_of_exps = rune_wrap_add(sum_of_exps,                                   \
                        rune_fx_rescale(rune_softmax_exp(p, diff), 0, 12));                    \
                }                                                                              \
            }                                                                                  \
            int bits_over_unit;                                                                \
            const int32_t shifted_scale = rune_fx_reciprocal(sum_of_exps, 12, &bits_over_unit); \
            const int exponent = bits_over_unit + 31 - (output_bits);                          \
            for (int32_t c = 0; c < p->depth; c++) {                                           \
                const int32_t diff = (int32_t)in[c] - max;                                     \
                if (diff >= p->diff_min) {                                                     \
                    const int32_t unsaturated = rune_rounding_divide_by_pot(                   \
                        rune_fx_mul(shifted_scale, rune_softmax_exp(p, diff)), exponent);      \
                    out[c] = (TOUT)rune_clamp_i32(unsaturated + (output_min), (output_min), (output_max)); \
                } else {                                                                       \
                    out[c] = (TOUT)(output_min);                                               \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
    }

RUNE_DEFINE_QUANTIZED_SOFTMAX(rune_softmax_s8, int8_t, int8_t, 8, -128, 127)
RUNE_DEFINE_QUANTIZED_SOFTMAX(rune_softmax_s8_s16, int8_t, int16_t, 16, -32768, 32767)
RUNE_DEFINE_QUANTIZED_SOFTMAX(rune_softmax_u8, uint8_t, uint8_t, 8, 0, 255)

#endif /* RUNE_KERNELS_REFERENCE_SOFTMAX_H */
