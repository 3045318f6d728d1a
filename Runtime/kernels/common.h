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

/*
 * A quantized kernel's requantization, copied out of its parameter block into locals: an int8
 * output store may alias anything, so fields read through the block would be loaded again after
 * every output byte.
 */
typedef struct rune_requantization {
    const int32_t *multipliers;
    const int32_t *shifts;
    int32_t per_channel, output_offset, activation_min, activation_max;
} rune_requantization;

static inline rune_requantization rune_conv_requantization(const rune_conv_params *p) {
    const rune_requantization q = {p->multipliers, p->shifts, p->per_channel, p->output_offset,
                                   p->activation_min, p->activation_max};
    return q;
}

static inline rune_requantization rune_fully_connected_requantization(const rune_fully_connected_params *p) {
    const rune_requantization q = {p->multipliers, p->shifts, p->per_channel, p->output_offset,
                                   p->activation_min, p->activation_max};
    return q;
}

/* The int8 output of output channel `channel` for accumulator `acc` (bias included). */
static inline int8_t rune_requantize_s8(const rune_requantization *q, int32_t channel, int32_t acc) {
    const int32_t c = q->per_channel ? channel : 0;
    return (int8_t)rune_requantize(acc, q->multipliers[c], q->shifts[c], q->output_offset, q->activation_min,
                                   q->activation_max);
}

/*
 * One output channel's requantization with its shifts and rounding constants worked out once,
 * for kernels that requantize many outputs of one channel: rune_requantize's arithmetic, the
 * same result, without recomputing the shift's split and masks per output.
 */
typedef struct rune_channel_scale {
    int32_t multiplier, left, right, mask, half;
} rune_channel_scale;

static inline rune_channel_scale rune_channel_scale_of(const rune_requantization *q, int32_t channel) {
    const int32_t c = q->per_channel ? channel : 0;
    const int32_t shift = q->shifts[c];
    const int32_t right = shift > 0 ? 0 : -shift;
    const int32_t mask = (int32_t)(((int64_t)1 << right) - 1);
    const rune_channel_scale s = {q->multipliers[c], shift > 0 ? shift : 0, right, mask, mask >> 1};
    return s;
}

static inline int8_t rune_requantize_channel_s8(const rune_requantization *q, const rune_channel_scale *s, int32_t acc) {
    const int32_t x = rune_srdhm(rune_shift_left(acc, s->left), s->multiplier);
    /* rune_rounding_divide_by_pot(x, right); with right 0 the mask is 0 and nothing rounds. */
    const int32_t rounded = (x >> s->right) + ((x & s->mask) > s->half + (x < 0 ? 1 : 0) ? 1 : 0);
    return (int8_t)rune_clamp_i32(rounded + q->output_offset, q->activation_min, q->activation_max);
}

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
