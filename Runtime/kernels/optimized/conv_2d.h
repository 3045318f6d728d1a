/*
 * optimized/conv_2d.h - the fast int8 CONV_2D, byte for byte the same as
 * rune_conv_2d_s8_reference (kernels/reference/conv_2d.h).
 *
 * sum(w * (x + offset)) = sum(w * x) + offset * sum(w), so the inner loops are pure int8 dot
 * products; sum(w) over the whole filter is computed once per output channel and only windows
 * clipped by padding sum their taps again. With dilation 1 a filter row's taps are contiguous
 * in both the input and the filter, so each row is one dot product of width * depth elements
 * (for the 1x1 convolutions that dominate MobileNets, one per output). Output channels go four
 * at a time, sharing each input load. Integer accumulation is exact, so the order of the
 * additions does not change the result.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_CONV_2D_H
#define RUNE_KERNELS_OPTIMIZED_CONV_2D_H

#include "kernels/common.h"

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
    return (int8_t)rune_requantize(acc, p->multipliers[c], p->shifts[c], p->output_offset,
                                   p->activation_min, p->activation_max);
}

/*
 * One output channel at every output pixel: the path for any dilation, and for the last
 * channels when the count is not a multiple of four.
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

static void rune_conv_2d_s8_optimized(const rune_conv_params *p, const int8_t *input, const int8_t *filter,
                                      const int32_t *bias, int8_t *output) {
    const int32_t depth = p->input_depth;
    const int32_t filter_size = p->filter_height * p->filter_width * depth;
    int32_t oc = 0;
    if (p->dilation_width == 1) {
        for (; oc + 4 <= p->output_depth; oc += 4) {
            const int8_t *w[4];
            int32_t base[4];
            for (int32_t k = 0; k < 4; k++) {
                w[k] = filter + (oc + k) * filter_size;
                base[k] = rune_sum_s8(w[k], filter_size) * p->input_offset + (bias ? bias[oc + k] : 0);
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

#endif /* RUNE_KERNELS_OPTIMIZED_CONV_2D_H */
