/*
 * optimized/depthwise_conv_2d.h - the fast int8 DEPTHWISE_CONV_2D, byte for
 * byte the same as rune_depthwise_conv_2d_s8_reference
 * (kernels/reference/depthwise_conv_2d.h), which it falls back on for depth
 * multipliers above RUNE_DEPTHWISE_BLOCK.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_DEPTHWISE_CONV_2D_H
#define RUNE_KERNELS_OPTIMIZED_DEPTHWISE_CONV_2D_H

#include "kernels/reference/depthwise_conv_2d.h"

/* Channels accumulated together: enough to fill SIMD registers, small enough for any stack. */
#define RUNE_DEPTHWISE_BLOCK 64

/*
 * Depth multipliers above 1 (a first layer that makes 8 channels of 1): a block of whole input
 * channels' outputs at a time, each input value (plus its offset) loaded once for its
 * `depth_multiplier` contiguous weights and sums. One body for int8 and uint8 (`is_signed` is a
 * constant at each call): a value plus its offset is within [-255, 255] for both, so the factors
 * are int16 and the compiler multiplies pairs at once.
 */
static inline __attribute__((always_inline)) void rune_depthwise_conv_2d_multiplier(
    const rune_conv_params *p, const uint8_t *input, const uint8_t *filter, const int32_t *bias, uint8_t *output,
    int is_signed, int32_t filter_offset) {
    const int32_t multiplier = p->depth_multiplier;
    const int32_t depth = p->output_depth, channels_per_block = RUNE_DEPTHWISE_BLOCK / multiplier;
    const int32_t io = p->input_offset;
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
                for (int32_t ic0 = 0; ic0 < p->input_depth; ic0 += channels_per_block) {
                    const int32_t ics = rune_min_i32(channels_per_block, p->input_depth - ic0);
                    const int32_t c0 = ic0 * multiplier, n = ics * multiplier;
                    for (int32_t i = 0; i < n; i++) acc[i] = bias ? bias[c0 + i] : 0;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int32_t iy = iy0 + p->dilation_height * fy;
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const int32_t ix = ix0 + p->dilation_width * fx;
                            const uint8_t *in = input + ((b * p->input_height + iy) * p->input_width + ix) * p->input_depth + ic0;
                            const uint8_t *w = filter + (fy * p->filter_width + fx) * depth + c0;
                            for (int32_t ic = 0; ic < ics; ic++) {
                                const int16_t x = (int16_t)(rune_quantized_byte(in[ic], is_signed) + io);
                                for (int32_t m = 0; m < multiplier; m++) {
                                    const int16_t weight = (int16_t)(rune_quantized_byte(w[ic * multiplier + m], is_signed) + filter_offset);
                                    acc[ic * multiplier + m] += (int32_t)weight * x;
                                }
                            }
                        }
                    }
                    for (int32_t i = 0; i < n; i++) {
                        const int32_t c = p->per_channel ? c0 + i : 0;
                        /* The requantized value is within the output type's range: its low byte is the output. */
                        out[c0 + i] = (uint8_t)rune_requantize(acc[i], p->multipliers[c], p->shifts[c], p->output_offset,
                                                               p->activation_min, p->activation_max);
                    }
                }
            }
        }
    }
}

static void rune_depthwise_conv_2d_s8_multiplier(const rune_conv_params *p, const int8_t *input,
                                                 const int8_t *filter, const int32_t *bias, int8_t *output) {
    if (p->depth_multiplier > RUNE_DEPTHWISE_BLOCK) {
        rune_depthwise_conv_2d_s8_reference(p, input, filter, bias, output);
        return;
    }
    /* int8 filters are symmetric (TFLite's int8 scheme): no filter offset. */
    rune_depthwise_conv_2d_multiplier(p, (const uint8_t *)input, (const uint8_t *)filter, bias, (uint8_t *)output, 1, 0);
}

/*
 * Depth multiplier 1 (every MobileNet): for each output pixel, accumulate a block of channels
 * at once. Input, filter and output are all contiguous over channels, so the inner loops are
 * element-wise multiply-adds that vectorize, instead of one strided 3x3 walk per channel.
 * Integer accumulation is exact, so the order does not change the result.
 */
static void rune_depthwise_conv_2d_s8_optimized(const rune_conv_params *p, const int8_t *input,
                                                const int8_t *filter, const int32_t *bias, int8_t *output) {
    if (p->depth_multiplier != 1) {
        rune_depthwise_conv_2d_s8_multiplier(p, input, filter, bias, output);
        return;
    }
    const int32_t depth = p->output_depth;
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
                int8_t *out = output + ((b * p->output_height + oy) * p->output_width + ox) * depth;
                for (int32_t c0 = 0; c0 < depth; c0 += RUNE_DEPTHWISE_BLOCK) {
                    const int32_t n = depth - c0 < RUNE_DEPTHWISE_BLOCK ? depth - c0 : RUNE_DEPTHWISE_BLOCK;
                    for (int32_t i = 0; i < n; i++) acc[i] = bias ? bias[c0 + i] : 0;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int32_t iy = iy0 + p->dilation_height * fy;
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const int32_t ix = ix0 + p->dilation_width * fx;
                            const int8_t *in = input + ((b * p->input_height + iy) * p->input_width + ix) * depth + c0;
                            const int8_t *w = filter + (fy * p->filter_width + fx) * depth + c0;
                            const int32_t offset = p->input_offset;
                            for (int32_t i = 0; i < n; i++) acc[i] += (int32_t)w[i] * ((int32_t)in[i] + offset);
                        }
                    }
                    for (int32_t i = 0; i < n; i++) {
                        const int32_t c = p->per_channel ? c0 + i : 0;
                        out[c0 + i] = (int8_t)rune_requantize(acc[i], p->multipliers[c], p->shifts[c], p->output_offset,
                                                              p->activation_min, p->activation_max);
                    }
                }
            }
        }
    }
}

#endif /* RUNE_KERNELS_OPTIMIZED_DEPTHWISE_CONV_2D_H */
