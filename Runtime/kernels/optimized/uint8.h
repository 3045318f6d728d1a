/*
 * optimized/uint8.h - the fast uint8 CONV_2D and DEPTHWISE_CONV_2D (older models, such as the
 * original person_detection), byte for byte the same as rune_conv_2d_u8_reference and
 * rune_depthwise_conv_2d_u8_reference: the same sums of (w + filter offset)(x + input offset),
 * in another order, which integer arithmetic does not notice.
 *
 * CONV_2D: for each output pixel, each filter row inside the input is one contiguous run of
 * taps x depth bytes in both the input and the filter (one run per tap with dilation), and four
 * output channels share each input byte. DEPTHWISE_CONV_2D with depth multiplier 1: a block of
 * channels accumulates at once, contiguous in input, filter and output, so the loops vectorize;
 * with a larger multiplier, each input value serves its channel's contiguous outputs.
 * A value plus its offset is within [-255, 255], so the factors are written as int16: the
 * compiler then multiplies and adds pairs at once (SSE2's PMADDWD) instead of emulating 32-bit
 * multiplies.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_UINT8_H
#define RUNE_KERNELS_OPTIMIZED_UINT8_H

#include "kernels/common.h"
#include "kernels/reference/depthwise_conv_2d.h"
#include "kernels/optimized/depthwise_conv_2d.h"

static inline uint8_t rune_requantize_u8(const rune_requantization *q, int32_t channel, int32_t acc) {
    const int32_t c = q->per_channel ? channel : 0;
    return (uint8_t)rune_requantize(acc, q->multipliers[c], q->shifts[c], q->output_offset, q->activation_min,
                                    q->activation_max);
}

static void rune_conv_2d_u8_optimized(const rune_conv_params *p, const uint8_t *input, const uint8_t *filter,
                                      const int32_t *bias, uint8_t *output) {
    const int32_t depth = p->input_depth;
    const int32_t filter_size = p->filter_height * p->filter_width * depth;
    const int32_t io = p->input_offset, fo = p->filter_offset;
    const rune_requantization q = rune_conv_requantization(p);
    for (int32_t b = 0; b < p->batches; b++) {
        for (int32_t oy = 0; oy < p->output_height; oy++) {
            const int32_t iy0 = oy * p->stride_height - p->pad_height;
            int32_t fy0, fy1;
            rune_window(iy0, p->dilation_height, p->filter_height, p->input_height, &fy0, &fy1);
            for (int32_t ox = 0; ox < p->output_width; ox++) {
                const int32_t ix0 = ox * p->stride_width - p->pad_width;
                int32_t fx0, fx1;
                rune_window(ix0, p->dilation_width, p->filter_width, p->input_width, &fx0, &fx1);
                const int32_t runs = p->dilation_width == 1 ? (fx1 > fx0 ? 1 : 0) : fx1 - fx0;
                const int32_t run = p->dilation_width == 1 ? (fx1 - fx0) * depth : depth;
                uint8_t *out = output + ((b * p->output_height + oy) * p->output_width + ox) * p->output_depth;
                for (int32_t oc0 = 0; oc0 < p->output_depth; oc0 += 4) {
                    const int32_t n = rune_min_i32(4, p->output_depth - oc0);
                    int32_t acc[4] = {0, 0, 0, 0};
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int32_t iy = iy0 + p->dilation_height * fy;
                        for (int32_t r = 0; r < runs; r++) {
                            const int32_t fx = fx0 + r;
                            const uint8_t *in = input + ((b * p->input_height + iy) * p->input_width +
                                                         ix0 + p->dilation_width * fx) * depth;
                            const uint8_t *w = filter + oc0 * filter_size + (fy * p->filter_width + fx) * depth;
                            if (n == 4) {
                                int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                                for (int32_t i = 0; i < run; i++) {
                                    const int16_t x = (int16_t)(in[i] + io);
                                    a0 += (int32_t)(int16_t)(w[i] + fo) * x;
                                    a1 += (int32_t)(int16_t)(w[filter_size + i] + fo) * x;
                                    a2 += (int32_t)(int16_t)(w[2 * filter_size + i] + fo) * x;
                                    a3 += (int32_t)(int16_t)(w[3 * filter_size + i] + fo) * x;
                                }
                                acc[0] += a0;
                                acc[1] += a1;
                                acc[2] += a2;
                                acc[3] += a3;
                            } else {
                                for (int32_t k = 0; k < n; k++) {
                                    int32_t a = 0;
                                    for (int32_t i = 0; i < run; i++) {
                                        a += ((int32_t)w[k * filter_size + i] + fo) * ((int32_t)in[i] + io);
                                    }
                                    acc[k] += a;
                                }
                            }
                        }
                    }
                    for (int32_t k = 0; k < n; k++) {
                        out[oc0 + k] = rune_requantize_u8(&q, oc0 + k, acc[k] + (bias ? bias[oc0 + k] : 0));
                    }
                }
            }
        }
    }
}

/*
 * Depth multipliers above 1 (person_detection's first layer makes 8 channels of 1): a block of
 * whole input channels' outputs at a time, each input value plus its offset loaded once for its
 * `depth_multiplier` contiguous weights: the body rune_depthwise_conv_2d_s8_multiplier uses.
 */
static void rune_depthwise_conv_2d_u8_multiplier(const rune_conv_params *p, const uint8_t *input,
                                                 const uint8_t *filter, const int32_t *bias, uint8_t *output) {
    if (p->depth_multiplier > RUNE_DEPTHWISE_BLOCK) {
        rune_depthwise_conv_2d_u8_reference(p, input, filter, bias, output);
        return;
    }
    rune_depthwise_conv_2d_multiplier(p, input, filter, bias, output, 0, p->filter_offset);
}

static void rune_depthwise_conv_2d_u8_optimized(const rune_conv_params *p, const uint8_t *input,
                                                const uint8_t *filter, const int32_t *bias, uint8_t *output) {
    if (p->depth_multiplier != 1) {
        rune_depthwise_conv_2d_u8_multiplier(p, input, filter, bias, output);
        return;
    }
    const int32_t depth = p->output_depth;
    const int32_t io = p->input_offset, fo = p->filter_offset;
    const rune_requantization q = rune_conv_requantization(p);
    int32_t acc[RUNE_DEPTHWISE_BLOCK];
    for (int32_t b = 0; b < p->batches; b++) {
        for (int32_t oy = 0; oy < p->output_height; oy++) {
            const int32_t iy0 = oy * p->stride_height - p->pad_height;
            int32_t fy0, fy1;
            rune_window(iy0, p->dilation_height, p->filter_height, p->input_height, &fy0, &fy1);
            for (int32_t ox = 0; ox < p->output_width; ox++) {
                const int32_t ix0 = ox * p->stride_width - p->pad_width;
                int32_t fx0, fx1;
                rune_window(ix0, p->dilation_width, p->filter_width, p->input_width, &fx0, &fx1);
                uint8_t *out = output + ((b * p->output_height + oy) * p->output_width + ox) * depth;
                for (int32_t c0 = 0; c0 < depth; c0 += RUNE_DEPTHWISE_BLOCK) {
                    const int32_t n = rune_min_i32(RUNE_DEPTHWISE_BLOCK, depth - c0);
                    for (int32_t i = 0; i < n; i++) acc[i] = bias ? bias[c0 + i] : 0;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int32_t iy = iy0 + p->dilation_height * fy;
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const int32_t ix = ix0 + p->dilation_width * fx;
                            const uint8_t *in = input + ((b * p->input_height + iy) * p->input_width + ix) * depth + c0;
                            const uint8_t *w = filter + (fy * p->filter_width + fx) * depth + c0;
                            for (int32_t i = 0; i < n; i++) acc[i] += (int32_t)(int16_t)(w[i] + fo) * (int16_t)(in[i] + io);
                        }
                    }
                    for (int32_t i = 0; i < n; i++) out[c0 + i] = rune_requantize_u8(&q, c0 + i, acc[i]);
                }
            }
        }
    }
}

#endif /* RUNE_KERNELS_OPTIMIZED_UINT8_H */
