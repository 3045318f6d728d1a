/*
 * optimized/depthwise_conv_2d_dsp.h - int8 DEPTHWISE_CONV_2D on the Armv7E-M DSP extension,
 * byte for byte the same as rune_depthwise_conv_2d_s8_reference.
 *
 * Depth multiplier 1 (every MobileNet): channels are contiguous in the input, the filter and the
 * output, so four channels are one word. For each output pixel, four channels at a time keep
 * their sums in registers across the window's taps: per tap, two SXTAB16 unpack the input with
 * its offset added, two SXTB16 the weights, and SMLABB/SMLATT do the four multiply-adds, one
 * per 16-bit lane. With a depth multiplier that is a multiple of 4 (a first layer making 8
 * channels of 1), four output channels share one input value, which SMLABB/SMLABT multiply by
 * each lane of the unpacked weights. Other depth multipliers use the plain path.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_DEPTHWISE_CONV_2D_DSP_H
#define RUNE_KERNELS_OPTIMIZED_DEPTHWISE_CONV_2D_DSP_H

#include "kernels/optimized/arm_dsp.h"
#include "kernels/optimized/conv_2d.h"
#include "kernels/optimized/depthwise_conv_2d.h"

#ifdef RUNE_KERNELS_DSP

/* Depth multiplier 4k: output channels c..c+3 all read input channel c / multiplier. */
static void rune_depthwise_conv_2d_s8_dsp_shared(const rune_conv_params *p, const int8_t *input, const int8_t *filter,
                                                 const int32_t *bias, int8_t *output) {
    const int32_t depth = p->output_depth;
    const int32_t offset = p->input_offset;
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
                int8_t *out = output + ((b * p->output_height + oy) * p->output_width + ox) * depth;
                for (int32_t c = 0; c < depth; c += 4) {
                    const int32_t ic = c / p->depth_multiplier;
                    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int32_t iy = iy0 + p->dilation_height * fy;
                        const int8_t *in_row = input + ((b * p->input_height + iy) * p->input_width) * p->input_depth + ic;
                        const int8_t *w_row = filter + fy * p->filter_width * depth + c;
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            /* x + offset is within [-255, 255]: its low 16 bits are lane 0. */
                            const uint32_t x = (uint32_t)((int32_t)in_row[(ix0 + p->dilation_width * fx) * p->input_depth] + offset);
                            const uint32_t ww = rune_dsp_load4(w_row + fx * depth);
                            const uint32_t w02 = rune_dsp_sxtb16(ww), w13 = rune_dsp_sxtb16(rune_dsp_ror8(ww));
                            a0 = rune_dsp_smlabb(x, w02, a0);
                            a2 = rune_dsp_smlabt(x, w02, a2);
                            a1 = rune_dsp_smlabb(x, w13, a1);
                            a3 = rune_dsp_smlabt(x, w13, a3);
                        }
                    }
                    const int32_t sums[4] = {a0, a1, a2, a3};
                    for (int32_t k = 0; k < 4; k++) {
                        out[c + k] = rune_requantize_s8(&q, c + k, sums[k] + (bias ? bias[c + k] : 0));
                    }
                }
            }
        }
    }
}

static void rune_depthwise_conv_2d_s8_dsp(const rune_conv_params *p, const int8_t *input, const int8_t *filter,
                                          const int32_t *bias, int8_t *output) {
    if (p->depth_multiplier % 4 == 0) {
        rune_depthwise_conv_2d_s8_dsp_shared(p, input, filter, bias, output);
        return;
    }
    if (p->depth_multiplier != 1) {
        rune_depthwise_conv_2d_s8_optimized(p, input, filter, bias, output);
        return;
    }
    const int32_t depth = p->output_depth;
    const int32_t offset = p->input_offset;
    const uint32_t offset2 = rune_dsp_pair(offset);
    const rune_requantization q = rune_conv_requantization(p);
    /* Four channels at a time over every pixel, so their scales are worked out once. */
    int32_t c = 0;
    for (; c + 4 <= depth; c += 4) {
        rune_channel_scale scales[4];
        int32_t biases[4];
        for (int32_t k = 0; k < 4; k++) {
            scales[k] = rune_channel_scale_of(&q, c + k);
            biases[k] = bias ? bias[c + k] : 0;
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
                    int32_t a0 = biases[0], a1 = biases[1], a2 = biases[2], a3 = biases[3];
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int32_t iy = iy0 + p->dilation_height * fy;
                        const int8_t *in_row = input + ((b * p->input_height + iy) * p->input_width) * depth + c;
                        const int8_t *w_row = filter + fy * p->filter_width * depth + c;
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const uint32_t xw = rune_dsp_load4(in_row + (ix0 + p->dilation_width * fx) * depth);
                            const uint32_t ww = rune_dsp_load4(w_row + fx * depth);
                            const uint32_t x02 = rune_dsp_sxtab16(offset2, xw);
                            const uint32_t x13 = rune_dsp_sxtab16(offset2, rune_dsp_ror8(xw));
                            const uint32_t w02 = rune_dsp_sxtb16(ww), w13 = rune_dsp_sxtb16(rune_dsp_ror8(ww));
                            a0 = rune_dsp_smlabb(x02, w02, a0);
                            a2 = rune_dsp_smlatt(x02, w02, a2);
                            a1 = rune_dsp_smlabb(x13, w13, a1);
                            a3 = rune_dsp_smlatt(x13, w13, a3);
                        }
                    }
                    int8_t *out = output + ((b * p->output_height + oy) * p->output_width + ox) * depth + c;
                    out[0] = rune_requantize_channel_s8(&q, &scales[0], a0);
                    out[1] = rune_requantize_channel_s8(&q, &scales[1], a1);
                    out[2] = rune_requantize_channel_s8(&q, &scales[2], a2);
                    out[3] = rune_requantize_channel_s8(&q, &scales[3], a3);
                }
            }
        }
    }
    /* The last depth % 4 channels, one at a time. */
    for (; c < depth; c++) {
        for (int32_t b = 0; b < p->batches; b++) {
            for (int32_t oy = 0; oy < p->output_height; oy++) {
                const int32_t iy0 = oy * p->stride_height - p->pad_height;
                int32_t fy0, fy1;
                rune_window(iy0, p->dilation_height, p->filter_height, p->input_height, &fy0, &fy1);
                for (int32_t ox = 0; ox < p->output_width; ox++) {
                    const int32_t ix0 = ox * p->stride_width - p->pad_width;
                    int32_t fx0, fx1;
                    rune_window(ix0, p->dilation_width, p->filter_width, p->input_width, &fx0, &fx1);
                    int32_t acc = bias ? bias[c] : 0;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int32_t iy = iy0 + p->dilation_height * fy;
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const int32_t ix = ix0 + p->dilation_width * fx;
                            const int32_t x = input[((b * p->input_height + iy) * p->input_width + ix) * depth + c];
                            acc += (int32_t)filter[(fy * p->filter_width + fx) * depth + c] * (x + offset);
                        }
                    }
                    output[((b * p->output_height + oy) * p->output_width + ox) * depth + c] = rune_requantize_s8(&q, c, acc);
                }
            }
        }
    }
}

#endif /* RUNE_KERNELS_DSP */

#endif /* RUNE_KERNELS_OPTIMIZED_DEPTHWISE_CONV_2D_DSP_H */
