/*
 * reference/activations.h - RELU, RELU6, RELU_N1_TO_1, LOGISTIC and TANH: float32 and
 * int8 (bit-exact with TFLite Micro: ReLU requantizes, ReLU6 clamps in the
 * input's quantization, LOGISTIC and TANH use gemmlowp's fixed point).
 */
#ifndef RUNE_KERNELS_REFERENCE_ACTIVATIONS_H
#define RUNE_KERNELS_REFERENCE_ACTIVATIONS_H

#include "kernels/common.h"

typedef struct rune_activation_params {
    int32_t size;
    float float_min, float_max;
    /* int8 ReLU: requantization and clamp. */
    int32_t input_offset, output_offset;
    int32_t multiplier, shift;
    int32_t activation_min, activation_max;
    /* int8 LOGISTIC and TANH: inputs beyond +-range_radius saturate. */
    int32_t input_zero_point, input_range_radius, input_multiplier, input_left_shift;
} rune_activation_params;

/* RELU, RELU6 and RELU_N1_TO_1 on floats: a clamp. */
static void rune_clamp_f32_array(const rune_activation_params *p, const float *input, float *output) {
    for (int32_t i = 0; i < p->size; i++) output[i] = rune_clamp_f32(input[i], p->float_min, p->float_max);
}

static void rune_relu_s8(const rune_activation_params *p, const int8_t *input, int8_t *output) {
    for (int32_t i = 0; i < p->size; i++) {
        output[i] = (int8_t)rune_requantize((int32_t)input[i] - p->input_offset, p->multiplier, p->shift,
                                            p->output_offset, p->activation_min, p->activation_max);
    }
}

/* RELU6 on int8: a clamp between the quantized 0 and 6. */
static void rune_clamp_s8_array(const rune_activation_params *p, const int8_t *input, int8_t *output) {
    for (int32_t i = 0; i < p->size; i++) output[i] = (int8_t)rune_clamp_i32(input[i], p->activation_min, p->activation_max);
}

static void rune_logistic_f32(const rune_activation_params *p, const float *input, float *output) {
    /* Beyond these bounds the float result is exactly 0 or 1. */
    for (int32_t i = 0; i < p->size; i++) {
        const float x = input[i];
        float result;
        if (x > 16.619047164916992188f) result = 1.0f;
        else if (x < -9.f) result = rune_expf(x);
        else result = 1.0f / (1.0f + rune_expf(-x));
        output[i] = result;
    }
}

static void rune_tanh_f32(const rune_activation_params *p, const float *input, float *output) {
    for (int32_t i = 0; i < p->size; i++) output[i] = rune_tanhf(input[i]);
}

static void rune_logistic_s8(const rune_activation_params *p, const int8_t *input, int8_t *output) {
    for (int32_t i = 0; i < p->size; i++) {
        const int32_t x = (int32_t)input[i] - p->input_zero_point;
        if (x <= -p->input_range_radius) {
            output[i] = -128;
        } else if (x >= p->input_range_radius) {
            output[i] = 127;
        } else {
            const int32_t q4 = rune_multiply_by_quantized_multiplier(x, p->input_multiplier, p->input_left_shift);
            const int32_t q0 = rune_fx_logistic(q4, 4);
            const int32_t q23 = rune_rounding_divide_by_pot(q0, 23) - 128;
            output[i] = (int8_t)rune_clamp_i32(q23, -128, 127);
        }
    }
}

static void rune_tanh_s8(const rune_activation_params *p, const int8_t *input, int8_t *output) {
    for (int32_t i = 0; i < p->size; i++) {
        const int32_t x = (int32_t)input[i] - p->input_zero_point;
        if (x <= -p->input_range_radius) {
            output[i] = -128;
        } else if (x >= p->input_range_radius) {
            output[i] = 127;
        } else {
            const int32_t q4 = rune_multiply_by_quantized_multiplier(x, p->input_multiplier, p->input_left_shift);
            const int32_t q0 = rune_fx_tanh(q4, 4);
            output[i] = (int8_t)rune_clamp_i32(rune_rounding_divide_by_pot(q0, 24), -128, 127);
        }
    }
}

#endif /* RUNE_KERNELS_REFERENCE_ACTIVATIONS_H */
