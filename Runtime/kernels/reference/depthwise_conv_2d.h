/*
 * reference/depthwise_conv_2d.h - DEPTHWISE_CONV_2D as TFLite Micro's
 * reference kernels compute it: float32, int8 per-channel, uint8.
 *
 * Filter layout [1, filter_height, filter_width, output_depth]; output channel
 * oc = ic * depth_multiplier + m reads input channel ic. kernels/optimized/
 * depthwise_conv_2d.h has the fast int8 path; kernels/depthwise_conv_2d.h chooses.
 */
#ifndef RUNE_KERNELS_REFERENCE_DEPTHWISE_CONV_2D_H
#define RUNE_KERNELS_REFERENCE_DEPTHWISE_CONV_2D_H

#include "kernels/common.h"

static void rune_depthwise_conv_2d_f32_reference(const rune_conv_params *p, const float *input, const float *filter,
                                       const float *bias, float *output) {
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
                for (int32_t ic = 0; ic < p->input_depth; ic++) {
                    for (int32_t m = 0; m < p->depth_multiplier; m++) {
                        const int32_t oc = ic * p->depth_multiplier + m;
                        float total = 0.0f;
                        for (int32_t fy = fy0; fy < fy1; fy++) {
                            const int32_t iy = iy0 + p->dilation_height * fy;
                            for (int32_t fx = fx0; fx < fx1; fx++) {
                                const int32_t ix = ix0 + p->dilation_width * fx;
                                total += input[((b * p->input_height + iy) * p->input_width + ix) * p->input_depth + ic]
                                    * filter[(fy * p->filter_width + fx) * p->output_depth + oc];
                            }
                        }
                        if (bias) total += bias[oc];
                        out[oc] = rune_clamp_f32(total, p->float_min, p->float_max);
                    }
                }
            }
        }
    }
}

static void rune_depthwise_conv_2d_s8_reference(const rune_conv_params *p, const int8_t *input,
                                                const int8_t *filter, const int32_t *bias, int8_t *output) {
    for (int32_t b = 0; b < p->batches; b++) {
        for (int32_t oy = 0; oy < p->output_height; oy++) {
            const int32_t iy0 = oy * p->stride_height - p->pad_height;
            int32_t fy0, fy1;
            rune_window(iy0, p->dilation_height, p->filter_height, p->input_height, &fy0, &fy1);
            for (int32_t ox = 0; ox < p->output_width; ox++) {
                const int32_t ix0 = ox * p->stride_width - p->pad_width;
                int32_t fx0, fx1;
                rune_window(ix0, p->dilation_width, p->filter_width, p->input_width, &fx0, &fx1);
                int8_t *out = output + ((b * p->output_height + oy) * p->output_width + ox) * p->output_depth;
                for (int32_t ic = 0; ic < p->input_depth; ic++) {
                    for (int32_t m = 0; m < p->depth_multiplier; m++) {
                        const int32_t oc = ic * p->depth_multiplier + m;
                        int32_t acc = 0;
                        for (int32_t fy = fy0; fy < fy1; fy++) {
                            const int32_t iy = iy0 + p->dilation_height * fy;
                            for (int32_t fx = fx0; fx < fx1; fx++) {
                                const int32_t ix = ix0 + p->dilation_width * fx;
                                const int32_t x = input[((b * p->input_height + iy) * p->input_width + ix) * p->input_depth + ic];
                                const int32_t w = filter[(fy * p->filter_width + fx) * p->output_depth + oc];
                                acc += w * (x + p->input_offset);
                            }
                        }
                        if (bias) acc += bias[oc];
                        const int32_t c = p->per_channel ? oc : 0;
                        out[oc] = (int8_t)rune_requantize(acc, p->multipliers[c], p->shifts[c], p->output_offset,
                                                          p->activation_min, p->activation_max);
                    }
                }
            }
        }
    }
}

static void rune_depthwise_conv_2d_u8_reference(const rune_conv_params *p, const uint8_t *input, const uint8_t *filter,
                                      const int32_t *bias, uint8_t *output) {
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
                for (int32_t ic = 0; ic < p->input_depth; ic++) {
                    for (int32_t m = 0; m < p->depth_multiplier; m++) {
                        const int32_t oc = ic * p->depth_multiplier + m;
                        int32_t acc = 0;
                        for (int32_t fy = fy0; fy < fy1; fy++) {
                            const int32_t iy = iy0 + p->dilation_height * fy;
                            for (int32_t fx = fx0; fx < fx1; fx++) {
                                const int32_t ix = ix0 + p->dilation_width * fx;
                                const int32_t x = input[((b * p->input_height + iy) * p->input_width + ix) * p->input_depth + ic];
                                const int32_t w = filter[(fy * p->filter_width + fx) * p->output_depth + oc];
                                acc += (w + p->filter_offset) * (x + p->input_offset);
                            }
                        }
                        if (bias) acc += bias[oc];
                        const int32_t c = p->per_channel ? oc : 0;
                        out[oc] = (uint8_t)rune_requantize(acc, p->multipliers[c], p->shifts[c], p->output_offset,
                                                           p->activation_min, p->activation_max);
                    }
                }
            }
        }
    }
}

#endif /* RUNE_KERNELS_REFERENCE_DEPTHWISE_CONV_2D_H */
