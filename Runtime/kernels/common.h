/*
 * common.h - parameter blocks shared by the kernels.
 *
 * runec fills these in at compile time from the model (shapes, strides,
 * padding, quantization) and emits them as `static const` data, so a kernel
 * call reads like `rune_conv_2d_s8(&params, input, filter, bias, output)`.
 * Tensors are NHWC, row-major, as in TFLite.
 */
#ifndef RUNE_KERNELS_COMMON_H
#define RUNE_KERNELS_COMMON_H

#include "rune.h"
#include "kernels/fixedpoint.h"
#include "lib/rune_math.h"

/* CONV_2D, DEPTHWISE_CONV_2D, and the pools. */
typedef struct rune_conv_params {
    int32_t batches;
    int32_t input_height, input_width, input_depth;
    int32_t filter_height, filter_width;
    int32_t output_height, output_width, output_depth;
    int32_t stride_height, stride_width;
    int32_t dilation_height, dilation_width;
    int32_t pad_height, pad_width;
    /* DEPTHWISE_CONV_2D: output channels per input channel. */
    int32_t depth_multiplier;
    /* Quantized: the negated zero points of input and filter, the output's zero point. */
    int32_t input_offset, filter_offset, output_offset;
    /* Quantized activation range, after the output offset. */
    int32_t activation_min, activation_max;
    /* Float activation range. */
    float float_min, float_max;
    /* Quantized: one multiplier and shift per output channel (or one for all). */
    const int32_t *multipliers;
    const int32_t *shifts;
    int32_t per_channel;
} rune_conv_params;

/* FULLY_CONNECTED. */
typedef struct rune_fully_connected_params {
    int32_t batches, input_depth, output_depth;
    int32_t input_offset, filter_offset, output_offset;
    int32_t activation_min, activation_max;
    float float_min, float_max;
    const int32_t *multipliers;
    const int32_t *shifts;
    int32_t per_channel;
    /* Hybrid (float activations, int8 weights): the weights' scale per output channel, and
     * whether the input is quantized with a zero point (asymmetric) or without. */
    const float *filter_scales;
    int32_t asymmetric;
} rune_fully_connected_params;

static inline float rune_clamp_f32(float x, float lo, float hi) {
    return x < lo ? lo : (x > hi ? hi : x);
}

/* Where the filter window starting at `origin` overlaps [0, size), in filter taps. */
static inline void rune_window(int32_t origin, int32_t dilation, int32_t taps, int32_t size,
                               int32_t *first, int32_t *last) {
    int32_t start = 0;
    while (start < taps && origin + dilation * start < 0) start++;
    int32_t end = taps;
    while (end > start && origin + dilation * (end - 1) >= size) end--;
    *first = start;
    *last = end;
}

#endif /* RUNE_KERNELS_COMMON_H */
