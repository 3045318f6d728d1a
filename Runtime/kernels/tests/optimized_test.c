/*
 * Each optimized int8 kernel against its reference twin (kernels/reference/) on seeded random
 * shapes, data and quantization: the outputs must be identical byte for byte.
 *
 * Shapes cover odd and large channel counts (past the depthwise block of 64), 1x1 to 5x5
 * filters, strides and dilations 1 to 3, explicit padding up to the filter's size (windows
 * clipped on every side), several batches, depth multipliers 1 to 3, per-tensor and per-channel
 * quantization, with and without bias, any zero points, narrowed activation ranges, and
 * multipliers and shifts at their edges (0, 2^30, INT32_MAX, shifts from -31 to +7).
 *
 * Both outputs are pre-filled with different bytes and followed by a guard, so an element one
 * kernel forgets to write, or a write past the end, is a difference too.
 *
 *     optimized_test [SEED [CASES]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rune.h"
/* The float and uint8 kernels come along unused. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "kernels/conv_2d.h"
#include "kernels/depthwise_conv_2d.h"
#include "kernels/fully_connected.h"
#include "kernels/pooling.h"
#include "kernels/svdf.h"

#if !defined(RUNE_KERNELS_POINTWISE_PACKED) && !defined(RUNE_KERNELS_DSP)
#error "the host takes the packed pointwise kernels: pointwise_packed_case would test only their fallback"
#endif
#ifdef RUNE_KERNELS_REFERENCE_ONLY
#error "compare the optimized kernels: build without RUNE_KERNELS_REFERENCE_ONLY"
#endif

static uint32_t state;
static uint32_t next(void) { state ^= state << 13; state ^= state >> 17; state ^= state << 5; return state; }
/* Uniform in [lo, hi]. */
static int32_t range(int32_t lo, int32_t hi) { return lo + (int32_t)(next() % (uint32_t)(hi - lo + 1)); }
static int chance(int percent) { return range(0, 99) < percent; }

#define GUARD 64
#define MAX_BYTES (1 << 20)
static int8_t input[MAX_BYTES], filter[MAX_BYTES];
static int8_t expected[MAX_BYTES + GUARD] __attribute__((aligned(16))), actual[MAX_BYTES + GUARD] __attribute__((aligned(16)));
static int32_t bias[4096], multipliers[4096], shifts[4096];

static int failures, cases;

static void fill(int8_t *data, int32_t count) {
    /* Mostly uniform; sometimes only the extremes, where sums and products are largest. */
    const int extremes = chance(10);
    for (int32_t i = 0; i < count; i++) data[i] = extremes ? (chance(50) ? -128 : 127) : (int8_t)range(-128, 127);
}

/* One multiplier and shift, often at an edge. */
static void quantization(int32_t *multiplier, int32_t *shift) {
    static const int32_t edge_multipliers[] = {0, 1 << 30, 2147483647, (1 << 30) + 1, 2147483646};
    static const int32_t edge_shifts[] = {-31, -24, -1, 0, 1, 7};
    *multiplier = chance(20) ? edge_multipliers[range(0, 4)] : range(1 << 30, 2147483647);
    *shift = chance(20) ? edge_shifts[range(0, 5)] : range(-12, 0);
}

static void quantize_outputs(int32_t channels, int32_t *per_channel, int32_t *output_offset,
                             int32_t *activation_min, int32_t *activation_max) {
    *per_channel = chance(70);
    for (int32_t c = 0; c < channels; c++) {
        quantization(&multipliers[c], &shifts[c]);
        bias[c] = range(-(1 << 16), 1 << 16);
    }
    *output_offset = range(-128, 127);
    *activation_min = -128;
    *activation_max = 127;
    if (chance(30)) *activation_min = rune_clamp_i32(*output_offset, -128, 127); /* RELU */
    if (chance(20)) {
        *activation_min = range(-128, 0);
        *activation_max = range(*activation_min, 127);
    }
}

static void prepare(int32_t bytes) {
    memset(expected, 0x5A, (size_t)bytes + GUARD);
    memset(actual, 0xA5, (size_t)bytes + GUARD);
}

/* Compares the first `bytes` and the guards; returns 0 when identical. */
static int differ(const char *kernel, int32_t bytes, const char *shape) {
    for (int32_t i = 0; i < bytes; i++) {
        if (expected[i] != actual[i]) {
            printf("%s: output %d is %d, reference %d; %s\n", kernel, i, actual[i], expected[i], shape);
            return 1;
        }
    }
    for (int32_t i = bytes; i < bytes + GUARD; i++) {
        if ((uint8_t)expected[i] != 0x5A || (uint8_t)actual[i] != 0xA5) {
            printf("%s: write past the output's end at %d; %s\n", kernel, i, shape);
            return 1;
        }
    }
    return 0;
}

static void check(const char *kernel, int32_t bytes, const char *shape) {
    cases++;
    if (differ(kernel, bytes, shape)) failures++;
}

/* Picks padding and the output size along one dimension; 0 if the filter does not fit. */
static int32_t spatial(int32_t size, int32_t taps, int32_t stride, int32_t dilation, int32_t *pad) {
    const int32_t extent = dilation * (taps - 1) + 1;
    switch (range(0, 2)) {
    case 0: *pad = 0; break;                                         /* VALID */
    case 1: *pad = rune_max_i32(0, (((size + stride - 1) / stride - 1) * stride + extent - size) / 2); break; /* SAME */
    default: *pad = range(0, extent - 1); break;                     /* any, up to all but one tap */
    }
    const int32_t padded = size + 2 * *pad;
    if (padded < extent) return 0;
    return (padded - extent) / stride + 1;
}

/* Random convolution geometry into p; 0 if the filter does not fit. */
static int geometry(rune_conv_params *p, int32_t max_size) {
    memset(p, 0, sizeof *p);
    p->batches = range(1, 2);
    p->input_height = range(1, max_size);
    p->input_width = range(1, max_size);
    p->filter_height = range(1, 5);
    p->filter_width = range(1, 5);
    p->stride_height = range(1, 3);
    p->stride_width = range(1, 3);
    /* Dilation 1 is the common case and the fast paths' own. */
    p->dilation_height = chance(70) ? 1 : range(2, 3);
    p->dilation_width = chance(70) ? 1 : range(2, 3);
    p->output_height = spatial(p->input_height, p->filter_height, p->stride_height, p->dilation_height, &p->pad_height);
    p->output_width = spatial(p->input_width, p->filter_width, p->stride_width, p->dilation_width, &p->pad_width);
    return p->output_height > 0 && p->output_width > 0;
}

static void describe(char *shape, size_t size, const rune_conv_params *p, int has_bias) {
    snprintf(shape, size,
             "batches %d input %dx%dx%d filter %dx%d output %dx%dx%d stride %d,%d dilation %d,%d pad %d,%d "
             "multiplier %d offsets %d,%d per-channel %d bias %d activation [%d, %d] multiplier[0] %d shift[0] %d",
             p->batches, p->input_height, p->input_width, p->input_depth, p->filter_height, p->filter_width,
             p->output_height, p->output_width, p->output_depth, p->stride_height, p->stride_width,
             p->dilation_height, p->dilation_width, p->pad_height, p->pad_width, p->depth_multiplier,
             p->input_offset, p->output_offset, p->per_channel, has_bias, p->activation_min, p->activation_max,
             multipliers[0], shifts[0]);
}

static void conv_case(void) {
    rune_conv_params p;
    while (!geometry(&p, 12)) {}
    if (chance(25)) {
        /* Pointwise: the DSP path's matrix product. */
        p.filter_height = p.filter_width = 1;
        p.stride_height = p.stride_width = p.dilation_height = p.dilation_width = 1;
        p.pad_height = p.pad_width = 0;
        p.output_height = p.input_height;
        p.output_width = p.input_width;
    }
    p.input_depth = chance(20) ? range(1, 3) : range(1, 40);
    p.output_depth = range(1, 21);
    p.depth_multiplier = 1;
    p.input_offset = -range(-128, 127);
    const int has_bias = chance(80);
    quantize_outputs(p.output_depth, &p.per_channel, &p.output_offset, &p.activation_min, &p.activation_max);
    p.multipliers = multipliers;
    p.shifts = shifts;
    fill(input, p.batches * p.input_height * p.input_width * p.input_depth);
    fill(filter, p.output_depth * p.filter_height * p.filter_width * p.input_depth);
    const int32_t bytes = p.batches * p.output_height * p.output_width * p.output_depth;
    prepare(bytes);
    rune_conv_2d_s8_reference(&p, input, filter, has_bias ? bias : NULL, expected);
    rune_conv_2d_s8(&p, input, filter, has_bias ? bias : NULL, actual);
    char shape[512];
    describe(shape, sizeof shape, &p, has_bias);
    check("conv_2d_s8", bytes, shape);
}

/*
 * 3x3 without dilation and SAME padding as TFLite pads it, the odd pixel after, as in every
 * MobileNet: the DSP and vector kernels unroll the pixels whose window is inside the input.
 */
static void mobilenet_3x3(rune_conv_params *p) {
    p->filter_height = p->filter_width = 3;
    p->dilation_height = p->dilation_width = 1;
    p->output_height = (p->input_height + p->stride_height - 1) / p->stride_height;
    p->output_width = (p->input_width + p->stride_width - 1) / p->stride_width;
    p->pad_height = rune_max_i32(0, (p->output_height - 1) * p->stride_height + 3 - p->input_height) / 2;
    p->pad_width = rune_max_i32(0, (p->output_width - 1) * p->stride_width + 3 - p->input_width) / 2;
}

static void depthwise_case(void) {
    rune_conv_params p;
    while (!geometry(&p, 10)) {}
    if (chance(30)) mobilenet_3x3(&p);
    p.depth_multiplier = chance(70) ? 1 : (chance(50) ? range(2, 3) : (chance(50) ? 4 * range(1, 4) : range(4, 70)));
    /* Past the block of 64 channels, and not a multiple of it. */
    p.input_depth = p.depth_multiplier == 1 ? (chance(30) ? range(60, 150) : range(1, 40)) : range(1, p.depth_multiplier > 3 ? 4 : 12);
    p.output_depth = p.input_depth * p.depth_multiplier;
    p.input_offset = -range(-128, 127);
    const int has_bias = chance(80);
    quantize_outputs(p.output_depth, &p.per_channel, &p.output_offset, &p.activation_min, &p.activation_max);
    p.multipliers = multipliers;
    p.shifts = shifts;
    fill(input, p.batches * p.input_height * p.input_width * p.input_depth);
    fill(filter, p.filter_height * p.filter_width * p.output_depth);
    const int32_t bytes = p.batches * p.output_height * p.output_width * p.output_depth;
    prepare(bytes);
    rune_depthwise_conv_2d_s8_reference(&p, input, filter, has_bias ? bias : NULL, expected);
    rune_depthwise_conv_2d_s8(&p, input, filter, has_bias ? bias : NULL, actual);
    char shape[512];
    describe(shape, sizeof shape, &p, has_bias);
    check("depthwise_conv_2d_s8", bytes, shape);
}

static void fully_connected_case(void) {
    rune_fully_connected_params p;
    memset(&p, 0, sizeof p);
    p.batches = range(1, 4);
    p.input_depth = chance(20) ? range(1, 4) : range(1, 400);
    p.output_depth = range(1, 40);
    p.input_offset = -range(-128, 127);
    /* int8 weights are symmetric in TFLite; the kernel still takes a zero point. */
    p.filter_offset = chance(70) ? 0 : -range(-128, 127);
    const int has_bias = chance(80);
    quantize_outputs(p.output_depth, &p.per_channel, &p.output_offset, &p.activation_min, &p.activation_max);
    p.multipliers = multipliers;
    p.shifts = shifts;
    fill(input, p.batches * p.input_depth);
    fill(filter, p.output_depth * p.input_depth);
    const int32_t bytes = p.batches * p.output_depth;
    prepare(bytes);
    rune_fully_connected_s8_reference(&p, input, filter, has_bias ? bias : NULL, expected);
    rune_fully_connected_s8(&p, input, filter, has_bias ? bias : NULL, actual);
    char shape[256];
    snprintf(shape, sizeof shape,
             "batches %d input %d output %d offsets %d,%d,%d per-channel %d bias %d activation [%d, %d]",
             p.batches, p.input_depth, p.output_depth, p.input_offset, p.filter_offset, p.output_offset,
             p.per_channel, has_bias, p.activation_min, p.activation_max);
    check("fully_connected_s8", bytes, shape);
}

/*
 * Float: the kernels of kernels/optimized/float_packed.h against the reference float kernels.
 * They add the same products in the same order, so the outputs must be identical bit for bit
 * (compared as bytes; the test is built with -ffp-contract=off, as runec builds them).
 */
static float float_input[MAX_BYTES / 4], float_filter[MAX_BYTES / 4], float_packed[MAX_BYTES / 4], float_bias[4096];

static void fill_float(float *data, int32_t count) {
    for (int32_t i = 0; i < count; i++) data[i] = (float)range(-1000000, 1000000) / 65536.0f;
}

/* [rows][columns] to [columns][rows], as runec packs float weights (WeightPacking.swift). */
static void transpose(const float *from, float *to, int32_t rows, int32_t columns) {
    for (int32_t r = 0; r < rows; r++)
        for (int32_t c = 0; c < columns; c++) to[c * rows + r] = from[r * columns + c];
}

static void float_range(float *lo, float *hi) {
    *lo = -3.40282347e+38f;
    *hi = 3.40282347e+38f;
    if (chance(30)) *lo = 0.0f;
    if (chance(20)) *hi = 6.0f;
}

/* Sometimes a long strip along one axis (a time series of a few sensors, a row of audio
 * features): the float convolution tiles pixels along the longer output axis. */
static void float_geometry(rune_conv_params *p) {
    for (;;) {
        while (!geometry(p, 10)) {}
        if (chance(70)) return;
        if (chance(50)) {
            p->input_height = range(12, 70);
            p->output_height = spatial(p->input_height, p->filter_height, p->stride_height, p->dilation_height,
                                       &p->pad_height);
        } else {
            p->input_width = range(12, 70);
            p->output_width = spatial(p->input_width, p->filter_width, p->stride_width, p->dilation_width, &p->pad_width);
        }
        if (p->output_height > 0 && p->output_width > 0) return;
    }
}

static void float_conv_case(int depthwise) {
    rune_conv_params p;
    float_geometry(&p);
    p.depth_multiplier = depthwise && chance(30) ? range(2, 3) : 1;
    p.input_depth = range(1, depthwise ? 70 : 24);
    p.output_depth = depthwise ? p.input_depth * p.depth_multiplier : range(1, 24);
    float_range(&p.float_min, &p.float_max);
    const int has_bias = chance(80);
    fill_float(float_bias, p.output_depth);
    fill_float(float_input, p.batches * p.input_height * p.input_width * p.input_depth);
    const int32_t taps = p.filter_height * p.filter_width;
    const int32_t weights = depthwise ? taps * p.output_depth : p.output_depth * taps * p.input_depth;
    fill_float(float_filter, weights);
    const int32_t count = p.batches * p.output_height * p.output_width * p.output_depth;
    prepare(count * 4);
    char shape[512];
    describe(shape, sizeof shape, &p, has_bias);
    if (depthwise) {
        rune_depthwise_conv_2d_f32_reference(&p, float_input, float_filter, has_bias ? float_bias : NULL, (float *)expected);
        rune_depthwise_conv_2d_f32(&p, float_input, float_filter, has_bias ? float_bias : NULL, (float *)actual);
        check("depthwise_conv_2d_f32", count * 4, shape);
    } else {
        transpose(float_filter, float_packed, p.output_depth, taps * p.input_depth);
        rune_conv_2d_f32(&p, float_input, float_filter, has_bias ? float_bias : NULL, (float *)expected);
        rune_conv_2d_f32_packed(&p, float_input, float_packed, has_bias ? float_bias : NULL, (float *)actual);
        check("conv_2d_f32_packed", count * 4, shape);
    }
}

static void float_fully_connected_case(void) {
    rune_fully_connected_params p;
    memset(&p, 0, sizeof p);
    p.batches = range(1, 4);
    p.input_depth = range(1, 300);
    p.output_depth = range(1, 40);
    float_range(&p.float_min, &p.float_max);
    const int has_bias = chance(80);
    fill_float(float_bias, p.output_depth);
    fill_float(float_input, p.batches * p.input_depth);
    fill_float(float_filter, p.output_depth * p.input_depth);
    transpose(float_filter, float_packed, p.output_depth, p.input_depth);
    const int32_t count = p.batches * p.output_depth;
    prepare(count * 4);
    rune_fully_connected_f32(&p, float_input, float_filter, has_bias ? float_bias : NULL, (float *)expected);
    rune_fully_connected_f32_packed(&p, float_input, float_packed, has_bias ? float_bias : NULL, (float *)actual);
    char shape[128];
    snprintf(shape, sizeof shape, "batches %d input %d output %d bias %d", p.batches, p.input_depth, p.output_depth, has_bias);
    check("fully_connected_f32_packed", count * 4, shape);
}

/* Float MAX_POOL_2D: kernels/optimized/float_pooling.h against the reference. Some inputs are
 * NaN, -0 or repeated, where which of two values a comparison keeps shows in the bits. */
static void float_max_pool_case(void) {
    rune_conv_params p;
    memset(&p, 0, sizeof p);
    for (;;) {
        float_geometry(&p);
        p.dilation_height = p.dilation_width = 1;
        p.output_height = spatial(p.input_height, p.filter_height, p.stride_height, 1, &p.pad_height);
        p.output_width = spatial(p.input_width, p.filter_width, p.stride_width, 1, &p.pad_width);
        if (p.output_height > 0 && p.output_width > 0) break;
    }
    p.input_depth = p.output_depth = range(1, 40);
    float_range(&p.float_min, &p.float_max);
    const int32_t inputs = p.batches * p.input_height * p.input_width * p.input_depth;
    fill_float(float_input, inputs);
    const float specials[] = {0.0f, -0.0f, __builtin_nanf(""), -__builtin_nanf("0x123"), 6.0f, -3.40282347e+38f};
    for (int32_t i = 0; i < inputs; i++) {
        if (chance(10)) float_input[i] = specials[range(0, 5)];
    }
    const int32_t count = p.batches * p.output_height * p.output_width * p.output_depth;
    prepare(count * 4);
    rune_max_pool_2d_f32_reference(&p, float_input, (float *)expected);
    rune_max_pool_2d_f32(&p, float_input, (float *)actual);
    char shape[512];
    describe(shape, sizeof shape, &p, 0);
    check("max_pool_2d_f32", count * 4, shape);
}

/* uint8 (older models): both zero points, one multiplier. */
static void uint8_case(int depthwise) {
    rune_conv_params p;
    while (!geometry(&p, 10)) {}
    if (depthwise && chance(30)) mobilenet_3x3(&p);
    /* Multipliers past the block of 64 channels too, and 8 (person_detection's first layer). */
    p.depth_multiplier = depthwise && chance(30) ? (chance(50) ? range(2, 3) : (chance(50) ? 8 : range(4, 70))) : 1;
    p.input_depth = depthwise ? (p.depth_multiplier > 3 ? range(1, 4) : range(1, 90)) : range(1, 30);
    p.output_depth = depthwise ? p.input_depth * p.depth_multiplier : range(1, 21);
    p.input_offset = -range(0, 255);
    p.filter_offset = -range(0, 255);
    const int has_bias = chance(80);
    quantize_outputs(p.output_depth, &p.per_channel, &p.output_offset, &p.activation_min, &p.activation_max);
    p.per_channel = 0;
    p.output_offset += 128;
    p.activation_min = chance(70) ? 0 : range(0, 128);
    p.activation_max = chance(70) ? 255 : range(p.activation_min, 255);
    p.multipliers = multipliers;
    p.shifts = shifts;
    const int32_t taps = p.filter_height * p.filter_width;
    fill(input, p.batches * p.input_height * p.input_width * p.input_depth);
    fill(filter, depthwise ? taps * p.output_depth : p.output_depth * taps * p.input_depth);
    const int32_t bytes = p.batches * p.output_height * p.output_width * p.output_depth;
    prepare(bytes);
    char shape[512];
    describe(shape, sizeof shape, &p, has_bias);
    if (depthwise) {
        rune_depthwise_conv_2d_u8_reference(&p, (const uint8_t *)input, (const uint8_t *)filter, has_bias ? bias : NULL, (uint8_t *)expected);
        rune_depthwise_conv_2d_u8(&p, (const uint8_t *)input, (const uint8_t *)filter, has_bias ? bias : NULL, (uint8_t *)actual);
        check("depthwise_conv_2d_u8", bytes, shape);
    } else {
        rune_conv_2d_u8_reference(&p, (const uint8_t *)input, (const uint8_t *)filter, has_bias ? bias : NULL, (uint8_t *)expected);
        rune_conv_2d_u8(&p, (const uint8_t *)input, (const uint8_t *)filter, has_bias ? bias : NULL, (uint8_t *)actual);
        check("conv_2d_u8", bytes, shape);
    }
}

/*
 * The filter [output depth][input depth] in the layout of optimized/pointwise_packed.h, as runec
 * packs it: channel blocks of RUNE_PACKED_CHANNELS, each [input depth][block width], uint8
 * weights as w - 128; and each channel's offset sum, io sum(w) + K F io (io - 128 for int8).
 */
static int8_t packed_filter[MAX_BYTES];
static int32_t offset_sums[4096];

static void pack_pointwise(const rune_conv_params *p, int input_unsigned) {
    const int32_t depth = p->input_depth, channels = p->output_depth;
    const int32_t packed_offset = input_unsigned ? p->filter_offset + 128 : 0;
    int32_t n = 0;
    for (int32_t c0 = 0; c0 < channels; c0 += RUNE_PACKED_CHANNELS) {
        const int32_t width = rune_min_i32(RUNE_PACKED_CHANNELS, channels - c0);
        for (int32_t k = 0; k < depth; k++) {
            for (int32_t v = 0; v < width; v++) {
                const int8_t w = filter[(c0 + v) * depth + k];
                packed_filter[n++] = input_unsigned ? (int8_t)((uint8_t)w ^ 0x80) : w;
            }
        }
    }
    for (int32_t c = 0; c < channels; c++) {
        int32_t sum = 0;
        for (int32_t k = 0; k < depth; k++) {
            sum += input_unsigned ? (int32_t)(uint8_t)filter[c * depth + k] - 128 : filter[c * depth + k];
        }
        /* The kernel reads an int8 input as x + 128, so its offset is io - 128. */
        const int32_t io = input_unsigned ? p->input_offset : p->input_offset - 128;
        offset_sums[c] = io * sum + depth * packed_offset * io;
    }
}

/*
 * 1x1 CONV_2D on packed weights, int8 (per-tensor or per-channel) and uint8: pixel counts that
 * leave a short last block of 4, depths that leave a short last block of 16 channels, strides.
 */
static void pointwise_packed_case(int input_unsigned) {
    rune_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = range(1, 2);
    p.input_height = range(1, 9);
    p.input_width = range(1, 9);
    p.filter_height = p.filter_width = 1;
    p.stride_height = chance(80) ? 1 : range(2, 3);
    p.stride_width = chance(80) ? 1 : range(2, 3);
    p.dilation_height = p.dilation_width = 1;
    p.output_height = (p.input_height - 1) / p.stride_height + 1;
    p.output_width = (p.input_width - 1) / p.stride_width + 1;
    p.input_depth = chance(20) ? range(1, 3) : range(1, 300);
    p.output_depth = chance(50) ? 16 * range(1, 4) : range(1, 70);
    p.depth_multiplier = 1;
    const int has_bias = chance(80);
    quantize_outputs(p.output_depth, &p.per_channel, &p.output_offset, &p.activation_min, &p.activation_max);
    if (input_unsigned) {
        p.input_offset = -range(0, 255);
        p.filter_offset = -range(0, 255);
        p.per_channel = 0;
        p.output_offset += 128;
        p.activation_min = chance(70) ? 0 : range(0, 128);
        p.activation_max = chance(70) ? 255 : range(p.activation_min, 255);
    } else {
        p.input_offset = -range(-128, 127);
    }
    p.multipliers = multipliers;
    p.shifts = shifts;
    fill(input, p.batches * p.input_height * p.input_width * p.input_depth);
    fill(filter, p.output_depth * p.input_depth);
    /* Where runec emits the packed layout, the kernel reads it; elsewhere (the DSP build of
     * dsp_test.c) the generated C keeps the model's and the kernel passes it on. */
#ifdef RUNE_KERNELS_POINTWISE_PACKED
    pack_pointwise(&p, input_unsigned);
#else
    memcpy(packed_filter, filter, (size_t)(p.output_depth * p.input_depth));
#endif
    p.offset_sums = offset_sums;
    const int32_t bytes = p.batches * p.output_height * p.output_width * p.output_depth;
    prepare(bytes);
    char shape[512];
    describe(shape, sizeof shape, &p, has_bias);
    if (input_unsigned) {
        rune_conv_2d_u8_reference(&p, (const uint8_t *)input, (const uint8_t *)filter, has_bias ? bias : NULL, (uint8_t *)expected);
        rune_conv_2d_u8_packed(&p, (const uint8_t *)input, (const uint8_t *)packed_filter, has_bias ? bias : NULL, (uint8_t *)actual);
        check("conv_2d_u8_packed", bytes, shape);
    } else {
        rune_conv_2d_s8_reference(&p, input, filter, has_bias ? bias : NULL, expected);
        rune_conv_2d_s8_packed(&p, input, packed_filter, has_bias ? bias : NULL, actual);
        check("conv_2d_s8_packed", bytes, shape);
    }
}

/* SVDF with an int8 state: two calls, so the shifted state is compared too (through the output). */
static void svdf_case(void) {
    static int8_t state_expected[4096], state_actual[4096];
    static int32_t scratch[2048], offset_sums[128];
    rune_svdf_params p;
    memset(&p, 0, sizeof p);
    p.batches = range(1, 2);
    p.input_size = range(1, 100);
    p.rank = range(1, 2);
    p.units = range(1, 32);
    p.filters = p.units * p.rank;
    p.memory = range(1, 32);
    p.input_zero_point = range(-128, 127);
    p.state_zero_point = range(-128, 127);
    p.output_zero_point = range(-128, 127);
    quantization(&p.multiplier1, &p.shift1);
    quantization(&p.multiplier2, &p.shift2);
    p.state_min = range(-128, 0) - p.state_zero_point;
    p.state_max = range(0, 127) - p.state_zero_point;
    const int has_bias = chance(80);
    for (int32_t u = 0; u < p.units; u++) bias[u] = range(-(1 << 16), 1 << 16);
    fill(filter, p.filters * p.input_size);
    fill(filter + p.filters * p.input_size, p.filters * p.memory);
    fill(state_expected, p.batches * p.filters * p.memory);
    memcpy(state_actual, state_expected, (size_t)(p.batches * p.filters * p.memory));
    /* Half the cases with the weight sums runec works out at compile time. */
    if (chance(50)) {
        for (int32_t f = 0; f < p.filters; f++) {
            int32_t feature = 0, time = 0;
            for (int32_t c = 0; c < p.input_size; c++) feature += filter[f * p.input_size + c];
            for (int32_t m = 0; m < p.memory; m++) time += filter[p.filters * p.input_size + f * p.memory + m];
            offset_sums[f] = -p.input_zero_point * feature;
            offset_sums[p.filters + f] = -p.state_zero_point * time;
        }
        p.offset_sums = offset_sums;
    }
    const int32_t bytes = p.batches * p.units;
    char shape[160];
    snprintf(shape, sizeof shape, "batches %d input %d units %d rank %d memory %d zero points %d,%d,%d%s", p.batches,
             p.input_size, p.units, p.rank, p.memory, p.input_zero_point, p.state_zero_point, p.output_zero_point,
             p.offset_sums ? " with offset sums" : "");
    for (int call = 0; call < 2; call++) {
        fill(input, p.batches * p.input_size);
        prepare(bytes);
        rune_svdf_s8_reference(&p, input, filter, filter + p.filters * p.input_size, has_bias ? bias : NULL,
                               state_expected, expected, scratch);
        rune_svdf_s8(&p, input, filter, filter + p.filters * p.input_size, has_bias ? bias : NULL, state_actual, actual,
                     scratch);
        check("svdf_s8", bytes, shape);
    }
    if (memcmp(state_expected, state_actual, (size_t)(p.batches * p.filters * p.memory)) != 0) {
        printf("svdf_s8: the states differ; %s\n", shape);
        failures++;
    }
}

#ifdef RUNE_KERNELS_DSP
/* The pointwise CONV_2D DSP kernel on a filter laid out as runec lays it out for it
 * (kernels/optimized/pointwise_dsp.h): every channel and depth remainder, odd pixel counts. */
static int16_t laid_out[MAX_BYTES] __attribute__((aligned(16)));

static void pointwise_layout_case(void) {
    rune_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = range(1, 2);
    p.input_height = p.output_height = range(1, 9);
    p.input_width = p.output_width = range(1, 9);
    p.filter_height = p.filter_width = 1;
    p.stride_height = p.stride_width = p.dilation_height = p.dilation_width = 1;
    p.input_depth = chance(20) ? range(1, 3) : range(1, 70);
    p.output_depth = range(1, 21);
    p.depth_multiplier = 1;
    p.input_offset = -range(-128, 127);
    const int has_bias = chance(80);
    quantize_outputs(p.output_depth, &p.per_channel, &p.output_offset, &p.activation_min, &p.activation_max);
    p.multipliers = multipliers;
    p.shifts = shifts;
    fill(input, p.batches * p.input_height * p.input_width * p.input_depth);
    fill(filter, p.output_depth * p.input_depth);
    /* Padding channels are zero in the layout; fill the whole of it first so a weight the layout
     * misplaces is a difference. */
    const int32_t size = rune_dsp_pointwise_layout_size(p.output_depth, p.input_depth);
    for (int32_t i = 0; i < size; i++) laid_out[i] = 0;
    for (int32_t c = 0; c < p.output_depth; c++) {
        for (int32_t k = 0; k < p.input_depth; k++) {
            laid_out[rune_dsp_pointwise_layout_index(c, k, p.input_depth)] = filter[c * p.input_depth + k];
        }
    }
    const int32_t bytes = p.batches * p.output_height * p.output_width * p.output_depth;
    prepare(bytes);
    rune_conv_2d_s8_reference(&p, input, filter, has_bias ? bias : NULL, expected);
    rune_conv_2d_s8_dsp_pointwise_packed(&p, input, laid_out, has_bias ? bias : NULL, actual);
    char shape[512];
    describe(shape, sizeof shape, &p, has_bias);
    check("conv_2d_s8_dsp_pointwise_packed", bytes, shape);
}
#endif

/* The comparison itself must catch a one-byte difference, a missing write and an overrun. */
static void self_test(void) {
    int caught = 0;
    prepare(16);
    memset(expected, 1, 16);
    memset(actual, 1, 16);
    actual[7] = 2;
    caught += differ("self-test (expected to differ)", 16, "one byte changed");
    memset(actual, 1, 15);
    actual[15] = (int8_t)0xA5; /* as if never written */
    caught += differ("self-test (expected to differ)", 16, "last byte not written");
    memset(actual, 1, 17);
    caught += differ("self-test (expected to differ)", 16, "one byte past the end");
    if (caught != 3) {
        printf("self-test: the comparison missed %d of 3 planted differences\n", 3 - caught);
        failures++;
    }
}

int main(int argc, char **argv) {
    const uint32_t seed = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 20240611u;
    const int count = argc > 2 ? atoi(argv[2]) : 1500;
    state = seed ? seed : 1;
    self_test();
    for (int i = 0; i < count; i++) {
        conv_case();
        depthwise_case();
        fully_connected_case();
        float_conv_case(0);
        float_conv_case(1);
        float_fully_connected_case();
        float_max_pool_case();
        uint8_case(0);
        uint8_case(1);
        pointwise_packed_case(0);
        pointwise_packed_case(1);
        svdf_case();
#ifdef RUNE_KERNELS_DSP
        pointwise_layout_case();
#endif
    }
    /* Which block of the packed pointwise kernel ran: scripts/test-runtime-c builds this test for
     * the host's own CPU too, so that the x86 intrinsics are tested wherever they can run. */
#ifdef RUNE_KERNELS_POINTWISE_VNNI
    printf("packed pointwise: AVX-512 VNNI block\n");
#elif defined(RUNE_KERNELS_POINTWISE_AVX2)
    printf("packed pointwise: AVX2 block\n");
#elif defined(RUNE_KERNELS_POINTWISE_PACKED)
    printf("packed pointwise: portable block\n");
#endif
    printf("seed %u: %d cases, %d differ\n", seed, cases, failures);
    return failures ? 1 : 0;
}
