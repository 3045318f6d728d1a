/*
 * optimized/depthwise_conv_2d_dsp.h - int8 DEPTHWISE_CONV_2D on the Armv7E-M DSP extension,
 * byte for byte the same as rune_depthwise_conv_2d_s8_reference.
 *
 * Output channels go four at a time (one word of the filter and the output), over every pixel,
 * so that a group's requantization constants are worked out once and its weights unpacked once:
 * for a 3x3 filter (every MobileNet) the nine taps' weights are unpacked into 16-bit lanes
 * before the pixels, and a pixel whose window lies inside the input takes all nine taps
 * unrolled, its sums in registers. Pixels at the edges, and other filters, walk the window's
 * taps that fall inside the input and unpack their weights as they go.
 *
 * Per tap, SMLABB and SMLATT (or SMLABT) do the four multiply-adds, one per 16-bit lane:
 *  - depth multiplier 1: channels are contiguous in the input too, so a tap is one input word,
 *    which two SXTAB16 unpack with the input offset added;
 *  - depth multiplier 4k (a first layer making 8 channels of 1): the four output channels share
 *    one input value, which SMLABB/SMLABT multiply by each lane of the unpacked weights.
 * Other depth multipliers take the portable path. The last depth % 4 channels of a multiplier
 * 1 layer are done one at a time.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_DEPTHWISE_CONV_2D_DSP_H
#define RUNE_KERNELS_OPTIMIZED_DEPTHWISE_CONV_2D_DSP_H

#include "kernels/optimized/arm_dsp.h"
#include "kernels/optimized/conv_2d.h"
#include "kernels/optimized/depthwise_conv_2d.h"
#include "kernels/optimized/requantize_dsp.h"

#ifdef RUNE_KERNELS_DSP

/* The sums of four output channels c..c+3 at one pixel. */
typedef struct rune_dsp_sums4 {
    int32_t a0, a1, a2, a3;
} rune_dsp_sums4;

/*
 * One tap: the input at `x` times the weights w02 (channels c and c + 2, unpacked) and w13
 * (c + 1 and c + 3). With `shared` the four channels read the one input byte at x; otherwise
 * the four input bytes at x are channels c..c+3. `shared` is a constant at every call.
 */
__attribute__((always_inline)) static inline void rune_dsp_depthwise_tap(rune_dsp_sums4 *s, const int8_t *x, uint32_t w02,
                                                                         uint32_t w13, int32_t offset, uint32_t offset2,
                                                                         int shared) {
    if (shared) {
        /* x + offset is within [-255, 255]: its low 16 bits are lane 0. */
        const uint32_t v = (uint32_t)((int32_t)*x + offset);
        s->a0 = rune_dsp_smlabb(v, w02, s->a0);
        s->a2 = rune_dsp_smlabt(v, w02, s->a2);
        s->a1 = rune_dsp_smlabb(v, w13, s->a1);
        s->a3 = rune_dsp_smlabt(v, w13, s->a3);
    } else {
        const uint32_t xw = rune_dsp_load4(x);
        const uint32_t x02 = rune_dsp_sxtab16(offset2, xw), x13 = rune_dsp_sxtab16(offset2, rune_dsp_ror8(xw));
        s->a0 = rune_dsp_smlabb(x02, w02, s->a0);
        s->a2 = rune_dsp_smlatt(x02, w02, s->a2);
        s->a1 = rune_dsp_smlabb(x13, w13, s->a1);
        s->a3 = rune_dsp_smlatt(x13, w13, s->a3);
    }
}

/* The three taps of one filter row, at x, x + column and x + 2 column; w holds their weights. */
__attribute__((always_inline)) static inline void rune_dsp_depthwise_row3(rune_dsp_sums4 *s, const int8_t *x,
                                                                          int32_t column, const uint32_t *w,
                                                                          int32_t offset, uint32_t offset2, int shared) {
    rune_dsp_depthwise_tap(s, x, w[0], w[1], offset, offset2, shared);
    rune_dsp_depthwise_tap(s, x + column, w[2], w[3], offset, offset2, shared);
    rune_dsp_depthwise_tap(s, x + 2 * column, w[4], w[5], offset, offset2, shared);
}

/*
 * Output channels c..c+3 (c a multiple of 4, all inside the output depth) at every pixel. The
 * input value of channel c's tap is at `input + pixel * input_depth + ic`, ic = c / multiplier.
 */
__attribute__((always_inline)) static inline void rune_dsp_depthwise_group4(const rune_conv_params *p,
                                                                            const rune_requantization *q,
                                                                            const int8_t *input, const int8_t *filter,
                                                                            const int32_t *bias, int8_t *output,
                                                                            int32_t c, int shared) {
    const int32_t depth = p->output_depth, input_depth = p->input_depth;
    const int32_t offset = p->input_offset;
    const uint32_t offset2 = rune_dsp_pair(offset);
    const int32_t ic = shared ? c / p->depth_multiplier : c;
    const rune_channel_scale s0 = rune_channel_scale_of(q, c), s1 = rune_channel_scale_of(q, c + 1);
    const rune_channel_scale s2 = rune_channel_scale_of(q, c + 2), s3 = rune_channel_scale_of(q, c + 3);
    rune_dsp_folded_scale f0, f1, f2, f3;
    const int folded = rune_dsp_fold(&s0, &f0) & rune_dsp_fold(&s1, &f1) & rune_dsp_fold(&s2, &f2) &
                       rune_dsp_fold(&s3, &f3);
    const rune_dsp_sums4 start = {bias ? bias[c] : 0, bias ? bias[c + 1] : 0, bias ? bias[c + 2] : 0,
                                  bias ? bias[c + 3] : 0};
    /* A 3x3 filter without dilation: its taps unpacked (w02, w13 per tap), and the pixels whose
     * window is inside the input in width, [ox_first, ox_end). */
    const int unrolled = p->filter_height == 3 && p->filter_width == 3 && p->dilation_height == 1 &&
                         p->dilation_width == 1;
    uint32_t w[18];
    int32_t ox_first = 0, ox_end = 0;
    if (unrolled) {
        for (int32_t t = 0; t < 9; t++) {
            const uint32_t ww = rune_dsp_load4(filter + t * depth + c);
            w[2 * t] = rune_dsp_sxtb16(ww);
            w[2 * t + 1] = rune_dsp_sxtb16(rune_dsp_ror8(ww));
        }
        /* ix0 = ox stride - pad >= 0, and ix0 + 2 < input width (the last tap can be past the
         * input even for ox = 0: TFLite pads SAME's odd pixel after). */
        const int32_t last = p->input_width - 3 + p->pad_width;
        ox_first = (p->pad_width + p->stride_width - 1) / p->stride_width;
        ox_end = last < 0 ? 0 : rune_min_i32(p->output_width, last / p->stride_width + 1);
    }
    /* The geometry in locals: the int8 output stores may alias the parameter block. */
    const int32_t column = input_depth, row = p->input_width * input_depth;
    const int32_t output_width = p->output_width, stride_width = p->stride_width, pad_width = p->pad_width;
    for (int32_t b = 0; b < p->batches; b++) {
        for (int32_t oy = 0; oy < p->output_height; oy++) {
            const int32_t iy0 = oy * p->stride_height - p->pad_height;
            int32_t fy0, fy1;
            rune_window(iy0, p->dilation_height, p->filter_height, p->input_height, &fy0, &fy1);
            /* The pixels of this row that take the unrolled taps: [first, first + inside). */
            const int rows_inside = unrolled && fy0 == 0 && fy1 == 3;
            const uint32_t first = (uint32_t)ox_first;
            const uint32_t inside = rows_inside && ox_end > ox_first ? (uint32_t)(ox_end - ox_first) : 0;
            const int8_t *image = input + b * p->input_height * row + ic;
            int8_t *out = output + (b * p->output_height + oy) * output_width * depth + c;
            int32_t ix0 = -pad_width;
            for (int32_t ox = 0; ox < output_width; ox++, out += depth, ix0 += stride_width) {
                rune_dsp_sums4 s = start;
                if ((uint32_t)ox - first < inside) {
                    const int8_t *x = image + iy0 * row + ix0 * column;
                    rune_dsp_depthwise_row3(&s, x, column, w, offset, offset2, shared);
                    rune_dsp_depthwise_row3(&s, x + row, column, w + 6, offset, offset2, shared);
                    rune_dsp_depthwise_row3(&s, x + 2 * row, column, w + 12, offset, offset2, shared);
                } else if (unrolled) {
                    /* An edge pixel of a 3x3 filter: the taps inside the input, weights unpacked. */
                    const int32_t fx0 = ix0 < 0 ? -ix0 : 0, fx1 = rune_min_i32(3, p->input_width - ix0);
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int8_t *x = image + (iy0 + fy) * row + ix0 * column;
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            rune_dsp_depthwise_tap(&s, x + fx * column, w[6 * fy + 2 * fx], w[6 * fy + 2 * fx + 1],
                                                   offset, offset2, shared);
                        }
                    }
                } else {
                    int32_t fx0, fx1;
                    rune_window(ix0, p->dilation_width, p->filter_width, p->input_width, &fx0, &fx1);
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int8_t *x = image + (iy0 + p->dilation_height * fy) * row;
                        const int8_t *w_row = filter + fy * p->filter_width * depth + c;
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const uint32_t ww = rune_dsp_load4(w_row + fx * depth);
                            rune_dsp_depthwise_tap(&s, x + (ix0 + p->dilation_width * fx) * column, rune_dsp_sxtb16(ww),
                                                   rune_dsp_sxtb16(rune_dsp_ror8(ww)), offset, offset2, shared);
                        }
                    }
                }
                if (folded) {
                    out[0] = rune_dsp_requantize_folded_s8(q, &f0, s.a0);
                    out[1] = rune_dsp_requantize_folded_s8(q, &f1, s.a1);
                    out[2] = rune_dsp_requantize_folded_s8(q, &f2, s.a2);
                    out[3] = rune_dsp_requantize_folded_s8(q, &f3, s.a3);
                } else {
                    out[0] = rune_requantize_channel_s8(q, &s0, s.a0);
                    out[1] = rune_requantize_channel_s8(q, &s1, s.a1);
                    out[2] = rune_requantize_channel_s8(q, &s2, s.a2);
                    out[3] = rune_requantize_channel_s8(q, &s3, s.a3);
                }
            }
        }
    }
}

/* Depth multiplier 4k: output channels c..c+3 all read input channel c / multiplier. */
static void rune_depthwise_conv_2d_s8_dsp_shared(const rune_conv_params *p, const int8_t *input, const int8_t *filter,
                                                 const int32_t *bias, int8_t *output) {
    const rune_requantization q = rune_conv_requantization(p);
    for (int32_t c = 0; c < p->output_depth; c += 4) {
        rune_dsp_depthwise_group4(p, &q, input, filter, bias, output, c, 1);
    }
}

/* Depth multiplier 1: four channels at a time, the last depth % 4 one at a time. */
static void rune_depthwise_conv_2d_s8_dsp_single(const rune_conv_params *p, const int8_t *input, const int8_t *filter,
                                                 const int32_t *bias, int8_t *output) {
    const int32_t depth = p->output_depth;
    const int32_t offset = p->input_offset;
    const rune_requantization q = rune_conv_requantization(p);
    int32_t c = 0;
    for (; c + 4 <= depth; c += 4) rune_dsp_depthwise_group4(p, &q, input, filter, bias, output, c, 0);
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

static void rune_depthwise_conv_2d_s8_dsp(const rune_conv_params *p, const int8_t *input, const int8_t *filter,
                                          const int32_t *bias, int8_t *output) {
    if (p->depth_multiplier % 4 == 0) {
        rune_depthwise_conv_2d_s8_dsp_shared(p, input, filter, bias, output);
    } else if (p->depth_multiplier == 1) {
        rune_depthwise_conv_2d_s8_dsp_single(p, input, filter, bias, output);
    } else {
        rune_depthwise_conv_2d_s8_optimized(p, input, filter, bias, output);
    }
}

#endif /* RUNE_KERNELS_DSP */

#endif /* RUNE_KERNELS_OPTIMIZED_DEPTHWISE_CONV_2D_DSP_H */
