/*
 * conv_2d.h - CONV_2D: float32; int8 with per-channel quantization; uint8
 * with per-tensor quantization (older models); hybrid is not used by CONV.
 *
 * Filter layout [output_depth, filter_height, filter_width, input_depth].
 * Taps that fall in the padding are skipped, which is the same as reading the
 * input's zero point there. Integer results equal TFLite Micro's reference
 * kernels exactly: the accumulation is exact in int32 whatever its order.
 */
#ifndef RUNE_KERNELS_CONV_2D_H
#define RUNE_KERNELS_CONV_2D_H

#include "kernels/common.h"

static void rune_conv_2d_f32(const rune_conv_params *p, const float *input, const float *filter,
                             const float *bias, float *output) {
    const int32_t depth = p->input_depth;
    const int32_t groups = p->input_depth / depth; /* grouped conv is not used by TFLite's converters */
    (void)groups;
    for (int32_t b = 0; b < p->batches; b++) {
        for (int32_t oy = 0; oy < p->output_height; oy++) {
            const int32_t iy0 = oy * p->stride_height - p->pad_height;
            int32_t fy0, fy1;
            rune_window(iy0, p->dilation_height, p->filter_height, p->input_height, &fy0, &fy1);
            for (int32_t ox = 0; ox < p->output_width; ox++) {
                const int32_t ix0 = ox * p->stride_width - p->pad_width;
                int32_t fx0, fx1;
                rune_window(ix0, p->dilation_width, p->filter_width, p->input_width, &fx0, &fx1);
                float *out = output + ((b * p->output_height + oy) * p->output_width + ox) * p->output_depth;
                for (int32_t oc = 0; oc < p->output_depth; oc++) {
                    float total = 0.0f;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int32_t iy = iy0 + p->dilation_height * fy;
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const int32_t ix = ix0 + p->dilation_width * fx;
                            const float *in = input + ((b * p->input_height + iy) * p->input_width + ix) * depth;
                            const float *w = filter + ((oc * p->filter_height + fy) * p->filter_width + fx) * depth;
                            for (int32_t ic = 0; ic < depth; ic++) total += in[ic] * w[ic];
                        }
                    }
                    if (bias) total += bias[oc];
                    out[oc] = rune_clamp_f32(total, p->float_min, p->float_max);
                }
            }
        }
    }
}

/* sum(a[i] * b[i]): a plain loop that clang and gcc turn into SIMD multiply-adds. */
static inline int32_t rune_dot_s8(const int8_t *a, const int8_t *b, int32_t count) {
    int32_t total = 0;
    for (int32_t i = 0; i < count; i++) total += (int32_t)a[i] * (int32_t)b[i];
    return total;
}

static inline int32_t rune_sum_s8(const int8_t *a, int32_t count) {
    int32_t total = 0;
    for (int32_t i = 0; i < count; i++) total += a[i];
    return total;
}

/*
 * int8 activations and weights; weights' zero point is 0; one multiplier per output channel.
 *
 * sum(w * (x + offset)) = sum(w * x) + offset * sum(w), so the inner loops are pure int8 dot
 * products; sum(w) over the whole filter is computed once per output channel and only windows
 * clipped by padding sum their taps again. With dilation 1 a filter row's taps are contiguous
 * in both the input and the filter, so each row is one dot product of width * depth elements
 * (for the 1x1 convolutions that dominate MobileNets, one dot product per output).
 */
/* Four dot products against one input run: each input byte is loaded once for four filters. */
static inline void rune_dot4_s8(const int8_t *x, const int8_t *w0, const int8_t *w1, const int8_t *w2,
                                const int8_t *w3, int32_t count, int32_t *acc) {
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (int32_t i = 0; i < count; i++) {
        const int32_t v = x[i];
        a0 += (int32_t)w0[i] * v;
        a1 += (int32_t)w1[i] * v;
        a2 += (int32_t)w2[i] * v;
        a3 += (int32_t)w3[i] * v;
    }
    acc[0] += a0;
    acc[1] += a1;
    acc[2] += a2;
    acc[3] += a3;
}

static inline int8_t rune_conv_requantize_s8(const rune_conv_params *p, int32_t oc, int32_t acc) {
    const int32_t c = p->per_channel ? oc : 0;
    acc = rune_multiply_by_quantized_multiplier(acc, p->multipliers[c], p->shifts[c]);
    acc += p->output_offset;
    return (int8_t)rune_clamp_i32(acc, p->activation_min, p->activation_max);
}

/*
 * One output channel at every output pixel (the general path, and the last channels when the
 * count is not a multiple of four).
 */
static void rune_conv_2d_s8_channel(const rune_conv_params *p, const int8_t *input, const int8_t *filter,
                                    const int32_t *bias, int8_t *output, int32_t oc) {
    const int32_t depth = p->input_depth;
    const int32_t filter_size = p->filter_height * p->filter_width * depth;
    const int8_t *w_oc = filter + oc * filter_size;
    const int32_t full_sum = rune_sum_s8(w_oc, filter_size);
    const int32_t bias_oc = bias ? bias[oc] : 0;
    for (int32_t b = 0; b < p->batches; b++) {
        for (int32_t oy = 0; oy < p->output_height; oy++) {
            const int32_t iy0 = oy * p->stride_height - p->pad_height;
            int32_t fy0, fy1;
            rune_window(iy0, p->dilation_height, p->filter_height, p->input_height, &fy0, &fy1);
            for (int32_t ox = 0; ox < p->output_width; ox++) {
                const int32_t ix0 = ox * p->stride_width - p->pad_width;
                int32_t fx0, fx1;
                rune_window(ix0, p->dilation_width, p->filter_width, p->input_width, &fx0, &fx1);
                const int clipped = fy0 != 0 || fy1 != p->filter_height || fx0 != 0 || fx1 != p->filter_width;
                int32_t acc = 0, filter_sum = clipped ? 0 : full_sum;
                for (int32_t fy = fy0; fy < fy1; fy++) {
                    const int32_t iy = iy0 + p->dilation_height * fy;
                    const int8_t *in_row = input + ((b * p->input_height + iy) * p->input_width) * depth;
                    const int8_t *w_row = w_oc + fy * p->filter_width * depth;
                    if (p->dilation_width == 1) {
                        const int32_t count = (fx1 - fx0) * depth;
                        const int8_t *in = in_row + (ix0 + fx0) * depth, *w = w_row + fx0 * depth;
                        acc += rune_dot_s8(w, in, count);
                        if (clipped) filter_sum += rune_sum_s8(w, count);
                    } else {
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const int8_t *in = in_row + (ix0 + p->dilation_width * fx) * depth, *w = w_row + fx * depth;
                            acc += rune_dot_s8(w, in, depth);
                            if (clipped) filter_sum += rune_sum_s8(w, depth);
                        }
                    }
                }
                acc += filter_sum * p->input_offset + bias_oc;
                output[((b * p->output_height + oy) * p->output_width + ox) * p->output_depth + oc] =
                    rune_conv_requantize_s8(p, oc, acc);
            }
        }
    }
}

/*
 * int8 activations and weights; weights' zero point is 0; one multiplier per output channel.
 *
 * sum(w * (x + offset)) = sum(w * x) + offset * sum(w), so the inner loops are pure int8 dot
 * products; sum(w) over the whole filter is computed once per output channel and only windows
 * clipped by padding sum their taps again. With dilation 1 a filter row's taps are contiguous
 * in both the input and the filter, so each row is one dot product of width * depth elements
 * (for the 1x1 convolutions that dominate MobileNets, one per output). Output channels go four
 * at a time through unclipped windows, sharing each input load.
 */
static void rune_conv_2d_s8(const rune_conv_params *p, const int8_t *input, const int8_t *filter,
                            const int32_t *bias, int8_t *output) {
    const int32_t depth = p->input_depth;
    const int32_t filter_size = p->filter_height * p->filter_width * depth;
    int32_t oc = 0;
    if (p->dilation_width == 1) {
        for (; oc + 4 <= p->output_depth; oc += 4) {
            const int8_t *w[4];
            int32_t full_sum[4], base[4];
            for (int32_t k = 0; k < 4; k++) {
                w[k] = filter + (oc + k) * filter_size;
                full_sum[k] = rune_sum_s8(w[k], filter_size);
                base[k] = full_sum[k] * p->input_offset + (bias ? bias[oc + k] : 0);
            }
            for (int32_t b = 0; b < p->batches; b++) {
                for (int32_t oy = 0; oy < p->output_height; oy++) {
                    const int32_t iy0 = oy * p->stride_height - p->pad_height;
                    int32_t fy0, fy1;
                    rune_window(iy0, p->dilation_height, p->filter_height, p->input_height, &fy0, &fy1);
                    for (int32_t ox = 0; ox < p->output_width; ox++) {
                        const int32_t ix0 = ox * p->stride_width - p->pad_width;
                        int32_t fx0, fx1;
                        rune_window(ix0, p->dilation_width, p->filter_width, p->input_width, &fx0, &fx1);
                        int8_t *out = output + ((b * p->output_height + oy) * p->output_width + ox) * p->output_depth + oc;
                        const int clipped = fy0 != 0 || fy1 != p->filter_height || fx0 != 0 || fx1 != p->filter_width;
                        int32_t acc[4] = {0, 0, 0, 0};
                        if (clipped) {
                            /* Borders: per channel, with the filter sum of the taps that are inside. */
                            for (int32_t k = 0; k < 4; k++) {
                                int32_t sum = 0;
                                for (int32_t fy = fy0; fy < fy1; fy++) {
                                    const int32_t iy = iy0 + p->dilation_height * fy;
                                    const int32_t count = (fx1 - fx0) * depth;
                                    const int8_t *in = input + ((b * p->input_height + iy) * p->input_width + ix0 + fx0) * depth;
                                    const int8_t *wk = w[k] + (fy * p->filter_width + fx0) * depth;
                                    acc[k] += rune_dot_s8(wk, in, count);
                                    sum += rune_sum_s8(wk, count);
                                }
                                acc[k] += sum * p->input_offset + (bias ? bias[oc + k] : 0);
                            }
                        } else {
                            for (int32_t fy = 0; fy < p->filter_height; fy++) {
                                const int32_t iy = iy0 + p->dilation_height * fy;
                                const int32_t count = p->filter_width * depth;
                                const int8_t *in = input + ((b * p->input_height + iy) * p->input_width + ix0) * depth;
                                const int32_t row = fy * count;
                                rune_dot4_s8(in, w[0] + row, w[1] + row, w[2] + row, w[3] + row, count, acc);
                            }
                            for (int32_t k = 0; k < 4; k++) acc[k] += base[k];
                        }
                        for (int32_t k = 0; k < 4; k++) out[k] = rune_conv_requantize_s8(p, oc + k, acc[k]);
                    }
                }
            }
        }
    }
    for (; oc < p->output_depth; oc++) rune_conv_2d_s8_channel(p, input, filter, bias, output, oc);
}

/* uint8 activations and weights with zero points; one multiplier. */
static void rune_conv_2d_u8(const rune_conv_params *p, const uint8_t *input, const uint8_t *filter,
                            const int32_t *bias, uint8_t *output) {
    const int32_t depth = p->input_depth;
    for (int32_t b = 0; b < p->batches; b++) {
        for (int32_t oy = 0; oy < p->output_height; oy++) {
            const int32_t iy0 = oy * p->stride_height - p->pad_height;
            int32_t fy0, fy1;
            rune_window(iy0, p->dilation_height, p->filter_height, p->input_height, &fy0, &fy1);
            for (int32_t ox = 0; ox < p->output_width; ox++) {
                const int32_t ix0 = ox * p->stride_width - p->pad_width;
                int32_t fx0, fx1;
                rune_window(ix0, p->dilation_width, p->filter_width, p->input_width, &fx0, &fx1);
                uint8_t *out = output + ((b * p->output_height + oy) * p->output_width + ox) * p->output_depth;
                for (int32_t oc = 0; oc < p->output_depth; oc++) {
                    int32_t acc = 0;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int32_t iy = iy0 + p->dilation_height * fy;
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const int32_t ix = ix0 + p->dilation_width * fx;
                            const uint8_t *in = input + ((b * p->input_height + iy) * p->input_width + ix) * depth;
                            const uint8_t *w = filter + ((oc * p->filter_height + fy) * p->filter_width + fx) * depth;
                            for (int32_t ic = 0; ic < depth; ic++) {
                                acc += ((int32_t)w[ic] + p->filter_offset) * ((int32_t)in[ic] + p->input_offset);
                            }
                        }
                    }
                    if (bias) acc += bias[oc];
                    const int32_t c = p->per_channel ? oc : 0;
                    acc = rune_multiply_by_quantized_multiplier(acc, p->multipliers[c], p->shifts[c]);
                    acc += p->output_offset;
                    out[oc] = (uint8_t)rune_clamp_i32(acc, p->activation_min, p->activation_max);
                }
            }
        }
    }
}

#endif /* RUNE_KERNELS_CONV_2D_H */
