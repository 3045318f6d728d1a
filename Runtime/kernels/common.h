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

/*
 * Kernels laid out for a vector unit the compiler fills: x86, and wasm, which the AOT engine
 * vectorizes for the host. Not Cortex-M, whose DSP paths and plain loops are tuned for its
 * registers (and its small stacks).
 */
#if !(defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M')
#define RUNE_KERNELS_VECTOR 1
#endif

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
    /* CONV_2D on packed weights (optimized/pointwise_packed.h): per output channel, the sum's
     * terms that depend on the offsets and the weights alone, worked out by runec. */
    const int32_t *offset_sums;
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
 * One output channel's requantization with its constants worked out once, for kernels that
 * requantize many outputs of one channel: rune_requantize's result, in fewer instructions.
 *
 * rune_requantize rounds twice: x = floor((a m + 2^30) / 2^31) (the doubling high multiply,
 * a = acc << left), then x / 2^r rounded half away from zero, which is floor((x + 2^(r-1) -
 * [x < 0]) / 2^r). Since floor(floor(y) / n) = floor(y / n) for an integer n, both roundings
 * fold into one of the 64-bit product:
 *
 *   r >= 1:  floor((a m + 2^30 + 2^(30+r) - [a m < 0] 2^31) / 2^(31+r))
 *            = (high word of that sum) >> (r - 1): one SMLAL and one shift on a Cortex-M;
 *   r == 0:  floor((2 a m + 2^31) / 2^32): the high word of a m + a m + 2^31.
 *
 * ([x < 0] may be taken as [a m < 0]: for a m in [-2^30, 0) x is 0 and both give 0.) The sum
 * stays below 2^63 in magnitude for every a and m, and with m > 0 the sign of a m is the sign
 * of a. The one case the doubling high multiply saturates, a = m = INT32_MIN, has m <= 0; such
 * a channel (never one of a TFLite model, whose multipliers are in [2^30, 2^31)) and any shift
 * outside [-31, 31] take rune_requantize itself.
 */
typedef struct rune_channel_scale {
    int32_t multiplier, left, right;
    /* 0: r >= 1 folded; 1: r == 0 folded; 2: rune_requantize. */
    int32_t mode;
    int64_t round;
} rune_channel_scale;

static inline rune_channel_scale rune_channel_scale_make(int32_t multiplier, int32_t shift) {
    rune_channel_scale s = {multiplier, shift > 0 ? shift : 0, shift > 0 ? 0 : -shift, 0, 0};
    if (multiplier <= 0 || shift > 31 || shift < -31) {
        s.mode = 2;
    } else if (s.right == 0) {
        s.mode = 1;
    } else {
        s.round = ((int64_t)1 << 30) + ((int64_t)1 << (30 + s.right));
    }
    return s;
}

/* acc x multiplier x 2^shift of the channel, rounded as rune_multiply_by_quantized_multiplier. */
static inline int32_t rune_channel_scale_apply(const rune_channel_scale *s, int32_t acc) {
    if (s->mode == 0) {
        const int32_t a = rune_shift_left(acc, s->left);
        /* (int32_t)(a & INT32_MIN) is -2^31 exactly when a < 0. */
        const int64_t sum = s->round + (int64_t)a * s->multiplier + (int32_t)((uint32_t)a & 0x80000000u);
        return (int32_t)(sum >> 32) >> (s->right - 1);
    }
    if (s->mode == 1) {
        const int64_t product = (int64_t)rune_shift_left(acc, s->left) * s->multiplier;
        return (int32_t)((product + product + ((int64_t)1 << 31)) >> 32);
    }
    return rune_multiply_by_quantized_multiplier(acc, s->multiplier, s->right ? -s->right : s->left);
}

/*
 * The scales of a row of up to RUNE_SCALE_ROW consecutive output channels, one array per field,
 * so that requantizing a pixel's row of sums is one loop the compiler vectorizes (variable
 * shifts and 32x32->64-bit multiplies are AVX2 instructions), where rune_channel_scale_apply
 * branches on each channel's mode. The row takes that path when every channel's scale folds
 * (mode 0, the usual right shift); otherwise each channel goes through rune_channel_scale_apply.
 */
#define RUNE_SCALE_ROW 16

typedef struct rune_scale_row {
    int32_t count, folded;
    int32_t output_offset, activation_min, activation_max;
    int32_t multiplier[RUNE_SCALE_ROW], left[RUNE_SCALE_ROW], right_less_one[RUNE_SCALE_ROW];
    int64_t round[RUNE_SCALE_ROW];
    rune_channel_scale scales[RUNE_SCALE_ROW];
} rune_scale_row;

/* The scales of channels first .. first + count - 1 (count <= RUNE_SCALE_ROW) into row. The lanes
 * past count get a harmless scale, so that the row's arrays are fully defined. */
static inline void rune_scale_row_make(rune_scale_row *row, const int32_t *multipliers, const int32_t *shifts,
                                       int32_t per_channel, int32_t first, int32_t count, int32_t output_offset,
                                       int32_t activation_min, int32_t activation_max) {
    row->count = count;
    row->folded = 1;
    row->output_offset = output_offset;
    row->activation_min = activation_min;
    row->activation_max = activation_max;
    for (int32_t i = 0; i < RUNE_SCALE_ROW; i++) {
        const int32_t c = per_channel ? first + i : 0;
        const rune_channel_scale s = i < count ? rune_channel_scale_make(multipliers[c], shifts[c])
                                               : rune_channel_scale_make(1 << 30, -1);
        row->scales[i] = s;
        row->multiplier[i] = s.multiplier;
        row->left[i] = s.left;
        row->right_less_one[i] = s.mode == 0 ? s.right - 1 : 0;
        row->round[i] = s.round;
        if (s.mode != 0) row->folded = 0;
    }
}

/*
 * out[i] = the requantized, clamped sums[i] for the row's first `lanes` channels (lanes <=
 * count), as rune_requantize gives them: the low byte, the same for int8 and uint8 outputs since
 * the clamp keeps the type's range. Callers pass a constant `lanes` where they can (16 for a
 * whole row, 8), so that the loop is whole vectors rather than a remainder of a wider one.
 */
static inline __attribute__((always_inline)) void rune_scale_row_apply(const rune_scale_row *row,
                                                                       const int32_t *restrict sums,
                                                                       uint8_t *restrict out, int32_t lanes) {
    const int32_t offset = row->output_offset, lo = row->activation_min, hi = row->activation_max;
    if (row->folded) {
        for (int32_t i = 0; i < lanes; i++) {
            const int32_t a = rune_shift_left(sums[i], row->left[i]);
            const int64_t sum = row->round[i] + (int64_t)a * row->multiplier[i] + (int32_t)((uint32_t)a & 0x80000000u);
            const int32_t value = ((int32_t)(sum >> 32) >> row->right_less_one[i]) + offset;
            out[i] = (uint8_t)(value < lo ? lo : (value > hi ? hi : value));
        }
    } else {
        for (int32_t i = 0; i < lanes; i++) {
            out[i] = (uint8_t)rune_clamp_i32(rune_channel_scale_apply(&row->scales[i], sums[i]) + offset, lo, hi);
        }
    }
}

/* rune_scale_row_apply for all of the row's channels, with the common widths as constants. */
static inline __attribute__((always_inline)) void rune_scale_row_store(const rune_scale_row *row,
                                                                       const int32_t *restrict sums,
                                                                       uint8_t *restrict out) {
    if (row->count == RUNE_SCALE_ROW) {
        rune_scale_row_apply(row, sums, out, RUNE_SCALE_ROW);
    } else if (row->count == 8) {
        rune_scale_row_apply(row, sums, out, 8);
    } else {
        rune_scale_row_apply(row, sums, out, row->count);
    }
}

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

/* A byte of an int8 (`is_signed`) or uint8 tensor: one kernel body serves both types where
 * `is_signed` is a constant at each call. */
static inline int32_t rune_quantized_byte(uint8_t byte, int is_signed) {
    return is_signed ? (int32_t)(int8_t)byte : (int32_t)byte;
}

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

static inline rune_channel_scale rune_channel_scale_of(const rune_requantization *q, int32_t channel) {
    const int32_t c = q->per_channel ? channel : 0;
    return rune_channel_scale_make(q->multipliers[c], q->shifts[c]);
}

/* The int8 output of output channel `channel` for accumulator `acc` (bias included). */
static inline int8_t rune_requantize_s8(const rune_requantization *q, int32_t channel, int32_t acc) {
    const int32_t c = q->per_channel ? channel : 0;
    return (int8_t)rune_requantize(acc, q->multipliers[c], q->shifts[c], q->output_offset, q->activation_min,
                                   q->activation_max);
}

/*
 * The int8 output of channel `channel` where `tensor` is channel 0's scale, made once: the
 * folded arithmetic for a per-tensor scale, rune_requantize_s8 for per-channel ones.
 */
static inline int8_t rune_requantize_with_tensor_s8(const rune_requantization *q, const rune_channel_scale *tensor,
                                                    int32_t channel, int32_t acc);

static inline int8_t rune_requantize_channel_s8(const rune_requantization *q, const rune_channel_scale *s, int32_t acc) {
    return (int8_t)rune_clamp_i32(rune_channel_scale_apply(s, acc) + q->output_offset, q->activation_min,
                                  q->activation_max);
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

static inline int8_t rune_requantize_with_tensor_s8(const rune_requantization *q, const rune_channel_scale *tensor,
                                                    int32_t channel, int32_t acc) {
    return q->per_channel ? rune_requantize_s8(q, channel, acc) : rune_requantize_channel_s8(q, tensor, acc);
}

#endif /* RUNE_KERNELS_COMMON_H */
