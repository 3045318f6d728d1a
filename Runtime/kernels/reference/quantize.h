/*
 * reference/quantize.h - QUANTIZE (float32 to int8/uint8/int16, and requantizing between
 * integer types) and DEQUANTIZE (int8/uint8/int16 to float32), as TFLite
 * Micro computes them.
 */
#ifndef RUNE_KERNELS_REFERENCE_QUANTIZE_H
#define RUNE_KERNELS_REFERENCE_QUANTIZE_H

#include "kernels/common.h"

typedef struct rune_quantize_params {
    int32_t size;
    float scale;            /* float to integer: the output's scale */
    double dequantize_scale; /* integer to float: the input's scale */
    int32_t input_zero_point, output_zero_point;
    int32_t multiplier, shift; /* integer to integer */
    int32_t output_min, output_max;
} rune_quantize_params;

/* Float to an integer type: round(x / scale) + zero point, clamped. */
#define RUNE_DEFINE_QUANTIZE_FROM_FLOAT(suffix, T)                                              \
    static void rune_quantize_f32_##suffix(const rune_quantize_params *p, const float *input, T *output) { \
        for (int32_t i = 0; i < p->size; i++) {                                                 \
            const int32_t q = (int32_t)rune_roundf(input[i] / p->scale) + p->output_zero_point; \
            output[i] = (T)rune_clamp_i32(q, p->output_min, p->output_max);                     \
        }                                                                                       \
    }

/* Between integer types: requantize with a multiplier. */
#define RUNE_DEFINE_REQUANTIZE(suffix, TIN, TOUT)                                               \
    static void rune_requantize_##suffix(const rune_quantize_params *p, const TIN *input, TOUT *output) { \
        for (int32_t i = 0; i < p->size; i++) {                                                 \
            output[i] = (TOUT)rune_requantize((int32_t)input[i] - p->input_zero_point, p->multiplier, \
                                              p->shift, p->output_zero_point, p->output_min,    \
                                              p->output_max);                                   \
        }                                                                                       \
    }

#define RUNE_DEFINE_DEQUANTIZE(suffix, T)                                                       \
    static void rune_dequantize_##suffix(const rune_quantize_params *p, const T *input, float *output) { \
        for (int32_t i = 0; i < p->size; i++) {                                                 \
            output[i] = (float)(p->dequantize_scale * (double)((int32_t)input[i] - p->input_zero_point)); \
        }                                                                                       \
    }

RUNE_DEFINE_QUANTIZE_FROM_FLOAT(s8, int8_t)
RUNE_DEFINE_QUANTIZE_FROM_FLOAT(u8, uint8_t)
RUNE_DEFINE_QUANTIZE_FROM_FLOAT(s16, int16_t)
RUNE_DEFINE_REQUANTIZE(s8_s8, int8_t, int8_t)
RUNE_DEFINE_REQUANTIZE(s8_u8, int8_t, uint8_t)
RUNE_DEFINE_REQUANTIZE(u8_s8, uint8_t, int8_t)
RUNE_DEFINE_REQUANTIZE(s8_s16, int8_t, int16_t)
RUNE_DEFINE_REQUANTIZE(s16_s8, int16_t, int8_t)
RUNE_DEFINE_REQUANTIZE(s16_s16, int16_t, int16_t)
RUNE_DEFINE_REQUANTIZE(s16_s32, int16_t, int32_t)
RUNE_DEFINE_REQUANTIZE(s8_s32, int8_t, int32_t)
RUNE_DEFINE_DEQUANTIZE(s8, int8_t)
RUNE_DEFINE_DEQUANTIZE(u8, uint8_t)
RUNE_DEFINE_DEQUANTIZE(s16, int16_t)

#endif /* RUNE_KERNELS_REFERENCE_QUANTIZE_H */
