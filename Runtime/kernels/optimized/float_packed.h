/*
 * optimized/float_packed.h - float32 CONV_2D and FULLY_CONNECTED on weights that runec packs at
 * compile time as [taps x input depth][output depth] (the model's [output depth][taps x input
 * depth], transposed), and float32 DEPTHWISE_CONV_2D, which needs no packing.
 *
 * Each output pixel's channels are accumulated together: for every tap and input channel, one
 * input value times a contiguous row of weights, added to a contiguous row of outputs. That
 * inner loop runs over output channels, so the compiler vectorizes it without reassociating
 * anything: every output still sums the same products in the same order as the reference kernel
 * (kernels/reference/), taps then input channels, then the bias, so the results are identical.
 * The output itself is the accumulator, so no scratch is needed.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_FLOAT_PACKED_H
#define RUNE_KERNELS_OPTIMIZED_FLOAT_PACKED_H

#include "kernels/common.h"

/* Output channels a float convolution keeps in registers at once. */
#define RUNE_FLOAT_BLOCK 8

/* out[i] += x * w[i]; out is never one of the inputs. */
static inline void rune_axpy_f32(float *restrict out, float x, const float *restrict w, int32_t count) {
    for (int32_t i = 0; i < count; i++) out[i] += x * w[i];
}

/* out[i] = clamp(out[i] (+ bias[i])), adding the bias last as the reference does. */
static inline void rune_finish_f32(float *restrict out, const float *restrict bias, int32_t count, float lo, float hi) {
    if (bias) {
        for (int32_t i = 0; i < count; i++) out[i] = rune_clamp_f32(out[i] + bias[i], lo, hi);
    } else {
        for (int32_t i = 0; i < count; i++) out[i] = rune_clamp_f32(out[i], lo, hi);
    }
}

static inline void rune_zero_f32(float *restrict out, int32_t count) {
    for (int32_t i = 0; i < count; i++) out[i] = 0.0f;
}

/* rune_conv_2d_f32 with `packed` = filter as [filter_height][filter_width][input_depth][output_depth]. */
static void rune_conv_2d_f32_packed(const rune_conv_params *p, const float *input, const float *packed,
                                    const float *bias, float *output) {
    const int32_t depth = p->input_depth, channels = p->output_depth;
    for (int32_t b = 0; b < p->batches; b++) {
        for (int32_t oy = 0; oy < p->output_height; oy++) {
            const int32_t iy0 = oy * p->stride_height - p->pad_height;
            int32_t fy0, fy1;
            rune_window(iy0, p->dilation_height, p->filter_height, p->input_height, &fy0, &fy1);
            for (int32_t ox = 0; ox < p->output_width; ox++) {
                const int32_t ix0 = ox * p->stride_width - p->pad_width;
                int32_t fx0, fx1;
                rune_window(ix0, p->dilation_width, p->filter_width, p->input_width, &fx0, &fx1);
                float *out = output + ((b * p->output_height + oy) * p->output_width + ox) * channels;
                /* Eight channels at a time in registers (a fixed count the compiler unrolls), then the rest
                 * accumulated in the output. */
                int32_t c0 = 0;
                for (; c0 + RUNE_FLOAT_BLOCK <= channels; c0 += RUNE_FLOAT_BLOCK) {
                    float acc[RUNE_FLOAT_BLOCK] = {0.0f};
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int32_t iy = iy0 + p->dilation_height * fy;
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const int32_t ix = ix0 + p->dilation_width * fx;
                            const float *in = input + ((b * p->input_height + iy) * p->input_width + ix) * depth;
                            const float *w = packed + (fy * p->filter_width + fx) * depth * channels + c0;
                            for (int32_t ic = 0; ic < depth; ic++) {
                                const float x = in[ic];
                                for (int32_t k = 0; k < RUNE_FLOAT_BLOCK; k++) acc[k] += x * w[ic * channels + k];
                            }
                        }
                    }
                    for (int32_t k = 0; k < RUNE_FLOAT_BLOCK; k++) out[c0 + k] = acc[k];
                }
                if (c0 < channels) {
                    const int32_t rest = channels - c0;
                    rune_zero_f32(out + c0, rest);
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int32_t iy = iy0 + p->dilation_height * fy;
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const int32_t ix = ix0 + p->dilation_width * fx;
                            const float *in = input + ((b * p->input_height + iy) * p->input_width + ix) * depth;
                            const float *w = packed + (fy * p->filter_width + fx) * depth * channels + c0;
                            for (int32_t ic = 0; ic < depth; ic++) rune_axpy_f32(out + c0, in[ic], w + ic * channels, rest);
                        }
                    }
                }
                rune_finish_f32(out, bias, channels, p->float_min, p->float_max);
            }
        }
    }
}

/* rune_fully_connected_f32 with `packed` = weights as [input_depth][output_depth]. */
static void rune_fully_connected_f32_packed(const rune_fully_connected_params *p, const float *input,
                                            const float *packed, const float *bias, float *output) {
    for (int32_t b = 0; b < p->batches; b++) {
        const float *in = input + b * p->input_depth;
        float *out = output + b * p->output_depth;
        rune_zero_f32(out, p->output_depth);
        for (int32_t d = 0; d < p->input_depth; d++) rune_axpy_f32(out, in[d], packed + d * p->output_depth, p->output_depth);
        rune_finish_f32(out, bias, p->output_depth, p->float_min, p->float_max);
    }
}

/* rune_depthwise_conv_2d_f32, with the channels of a pixel accumulated together. */
static void rune_depthwise_conv_2d_f32_optimized(const rune_conv_params *p, const float *input, const float *filter,
                                                 const float *bias, float *output) {
    const int32_t channels = p->output_depth, multiplier = p->depth_multiplier;
    for (int32_t b = 0; b < p->batches; b++) {
        for (int32_t oy = 0; oy < p->output_height; oy++) {
            const int32_t iy0 = oy * p->stride_height - p->pad_height;
            int32_t fy0, fy1;
            rune_window(iy0, p->dilation_height, p->filter_height, p->input_height, &fy0, &fy1);
            for (int32_t ox = 0; ox < p->output_width; ox++) {
                const int32_t ix0 = ox * p->stride_width - p->pad_width;
                int32_t fx0, fx1;
                rune_window(ix0, p->dilation_width, p->filter_width, p->input_width, &fx0, &fx1);
                float *restrict out = output + ((b * p->output_height + oy) * p->output_width + ox) * channels;
                rune_zero_f32(out, channels);
                for (int32_t fy = fy0; fy < fy1; fy++) {
                    const int32_t iy = iy0 + p->dilation_height * fy;
                    for (int32_t fx = fx0; fx < fx1; fx++) {
                        const int32_t ix = ix0 + p->dilation_width * fx;
                        const float *restrict in = input + ((b * p->input_height + iy) * p->input_width + ix) * p->input_depth;
                        const float *restrict w = filter + (fy * p->filter_width + fx) * channels;
                        if (multiplier == 1) {
                            for (int32_t c = 0; c < channels; c++) out[c] += in[c] * w[c];
                        } else {
                            for (int32_t ic = 0; ic < p->input_depth; ic++) {
                                rune_axpy_f32(out + ic * multiplier, in[ic], w + ic * multiplier, multiplier);
                            }
                        }
                    }
                }
                rune_finish_f32(out, bias, channels, p->float_min, p->float_max);
            }
        }
    }
}

#endif /* RUNE_KERNELS_OPTIMIZED_FLOAT_PACKED_H */
