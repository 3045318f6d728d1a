/*
 * optimized/conv_2d_dsp.h - int8 CONV_2D on the Armv7E-M DSP extension, byte for byte the same
 * as rune_conv_2d_s8_reference.
 *
 * For each output pixel and each filter row inside the input, the taps are one contiguous run
 * of (last - first tap) x depth bytes in both the input and the filter (one run per tap with
 * dilation), so a pixel is a few dot products, four output channels at a time sharing the
 * unpacked input (rune_dsp_dot4_s8). The input offset is added as the input is unpacked, so
 * windows clipped by padding need no correction: their outside taps are simply not visited.
 *
 * Pointwise convolutions (1x1 filter, stride 1: most of a MobileNet's multiply-adds) are a
 * matrix product of pixels by output channels, done as CMSIS-NN does it: two pixels by two
 * channels at a time, so each unpacked input word serves two channels and each unpacked weight
 * word two pixels (8 SMLAD per 4 bytes of both), with the input offset folded into a sum of the
 * weights computed once per channel: sum(w (x + offset)) = sum(w x) + offset sum(w), exact in
 * 32-bit wrapping arithmetic as the reference's sum is.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_CONV_2D_DSP_H
#define RUNE_KERNELS_OPTIMIZED_CONV_2D_DSP_H

#include "kernels/optimized/arm_dsp.h"
#include "kernels/optimized/conv_2d.h"
#include "kernels/optimized/requantize_dsp.h"

#ifdef RUNE_KERNELS_DSP

/* sum(w[i]) over count bytes, four at a time. */
static inline int32_t rune_dsp_sum_s8(const int8_t *w, int32_t count) {
    int32_t sum = 0;
    int32_t i = 0;
    for (; i + 4 <= count; i += 4) {
        const uint32_t word = rune_dsp_load4(w + i);
        sum = rune_dsp_smlad(rune_dsp_sxtb16(word), 0x00010001u, sum);
        sum = rune_dsp_smlad(rune_dsp_sxtb16(rune_dsp_ror8(word)), 0x00010001u, sum);
    }
    for (; i < count; i++) sum += w[i];
    return sum;
}

/* Two pixels by two channels: acc[2 * pixel + channel] += sum(x_pixel[i] * w_channel[i]). */
static inline void rune_dsp_dot2x2_s8(const int8_t *xa, const int8_t *xb, const int8_t *wa, const int8_t *wb,
                                      int32_t count, int32_t *acc) {
    int32_t aa = 0, ab = 0, ba = 0, bb = 0;
    /* Pointers that advance and one end, rather than an index into four arrays: fewer live
     * registers, so the 14 Thumb registers hold the loop without spilling. */
    const int8_t *const end = xa + (count & ~3);
    const int32_t pixel = (int32_t)(xb - xa), channel = (int32_t)(wb - wa);
    const int8_t *x = xa, *w = wa;
    for (; x != end; x += 4, w += 4) {
        const uint32_t x0 = rune_dsp_load4(x), x1 = rune_dsp_load4(x + pixel);
        const uint32_t w0 = rune_dsp_load4(w), w1 = rune_dsp_load4(w + channel);
        const uint32_t w0e = rune_dsp_sxtb16(w0), w0o = rune_dsp_sxtb16(rune_dsp_ror8(w0));
        const uint32_t w1e = rune_dsp_sxtb16(w1), w1o = rune_dsp_sxtb16(rune_dsp_ror8(w1));
        const uint32_t x0e = rune_dsp_sxtb16(x0), x0o = rune_dsp_sxtb16(rune_dsp_ror8(x0));
        aa = rune_dsp_smlad(x0e, w0e, aa);
        aa = rune_dsp_smlad(x0o, w0o, aa);
        ab = rune_dsp_smlad(x0e, w1e, ab);
        ab = rune_dsp_smlad(x0o, w1o, ab);
        const uint32_t x1e = rune_dsp_sxtb16(x1), x1o = rune_dsp_sxtb16(rune_dsp_ror8(x1));
        ba = rune_dsp_smlad(x1e, w0e, ba);
        ba = rune_dsp_smlad(x1o, w0o, ba);
        bb = rune_dsp_smlad(x1e, w1e, bb);
        bb = rune_dsp_smlad(x1o, w1o, bb);
    }
    for (int32_t i = count & ~3; i < count; i++) {
        aa += (int32_t)xa[i] * wa[i];
        ab += (int32_t)xa[i] * wb[i];
        ba += (int32_t)xb[i] * wa[i];
        bb += (int32_t)xb[i] * wb[i];
    }
    acc[0] = aa;
    acc[1] = ab;
    acc[2] = ba;
    acc[3] = bb;
}

/* 1x1 filter, stride 1 (so no padding and input pixels are output pixels). */
static void rune_conv_2d_s8_dsp_pointwise(const rune_conv_params *p, const int8_t *input, const int8_t *filter,
                                          const int32_t *bias, int8_t *output) {
    const int32_t depth = p->input_depth, channels = p->output_depth;
    const int32_t pixels = p->batches * p->output_height * p->output_width;
    const int32_t offset = p->input_offset;
    const uint32_t offset2 = rune_dsp_pair(offset);
    const rune_requantization q = rune_conv_requantization(p);
    int32_t oc = 0;
    for (; oc + 2 <= channels; oc += 2) {
        const int8_t *wa = filter + oc * depth, *wb = wa + depth;
        const int32_t base_a = offset * rune_dsp_sum_s8(wa, depth) + (bias ? bias[oc] : 0);
        const int32_t base_b = offset * rune_dsp_sum_s8(wb, depth) + (bias ? bias[oc + 1] : 0);
        const rune_channel_scale sa = rune_channel_scale_of(&q, oc), sb = rune_channel_scale_of(&q, oc + 1);
        rune_dsp_folded_scale fa, fb;
        const int folded = rune_dsp_fold(&sa, &fa) & rune_dsp_fold(&sb, &fb);
        int32_t px = 0;
        for (; px + 2 <= pixels; px += 2) {
            const int8_t *xa = input + px * depth;
            int32_t acc[4];
            rune_dsp_dot2x2_s8(xa, xa + depth, wa, wb, depth, acc);
            int8_t *out = output + px * channels + oc;
            if (folded) {
                out[0] = rune_dsp_requantize_folded_s8(&q, &fa, acc[0] + base_a);
                out[1] = rune_dsp_requantize_folded_s8(&q, &fb, acc[1] + base_b);
                out[channels] = rune_dsp_requantize_folded_s8(&q, &fa, acc[2] + base_a);
                out[channels + 1] = rune_dsp_requantize_folded_s8(&q, &fb, acc[3] + base_b);
            } else {
                out[0] = rune_requantize_channel_s8(&q, &sa, acc[0] + base_a);
                out[1] = rune_requantize_channel_s8(&q, &sb, acc[1] + base_b);
                out[channels] = rune_requantize_channel_s8(&q, &sa, acc[2] + base_a);
                out[channels + 1] = rune_requantize_channel_s8(&q, &sb, acc[3] + base_b);
            }
        }
        if (px < pixels) {
            const int8_t *x = input + px * depth;
            int8_t *out = output + px * channels + oc;
            out[0] = rune_requantize_s8(&q, oc, rune_dsp_dot_s8(x, wa, depth, offset, offset2) + (bias ? bias[oc] : 0));
            out[1] = rune_requantize_s8(&q, oc + 1, rune_dsp_dot_s8(x, wb, depth, offset, offset2) + (bias ? bias[oc + 1] : 0));
        }
    }
    if (oc < channels) {
        const int8_t *w = filter + oc * depth;
        for (int32_t px = 0; px < pixels; px++) {
            output[px * channels + oc] = rune_requantize_s8(
                &q, oc, rune_dsp_dot_s8(input + px * depth, w, depth, offset, offset2) + (bias ? bias[oc] : 0));
        }
    }
}

static void rune_conv_2d_s8_dsp(const rune_conv_params *p, const int8_t *input, const int8_t *filter,
                                const int32_t *bias, int8_t *output) {
    if (p->filter_height == 1 && p->filter_width == 1 && p->stride_height == 1 && p->stride_width == 1 &&
        p->pad_height == 0 && p->pad_width == 0) {
        rune_conv_2d_s8_dsp_pointwise(p, input, filter, bias, output);
        return;
    }
    const int32_t depth = p->input_depth;
    const int32_t filter_size = p->filter_height * p->filter_width * depth;
    const int32_t offset = p->input_offset;
    const uint32_t offset2 = rune_dsp_pair(offset);
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
                /* Dilation 1: a row's taps are one run; otherwise one run of `depth` per tap. */
                const int32_t runs = p->dilation_width == 1 ? (fx1 > fx0 ? 1 : 0) : fx1 - fx0;
                const int32_t run = p->dilation_width == 1 ? (fx1 - fx0) * depth : depth;
                int8_t *out = output + ((b * p->output_height + oy) * p->output_width + ox) * p->output_depth;
                int32_t oc = 0;
                for (; oc + 4 <= p->output_depth; oc += 4) {
                    int32_t acc[4] = {0, 0, 0, 0};
                    const int8_t *w = filter + oc * filter_size;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int32_t iy = iy0 + p->dilation_height * fy;
                        for (int32_t r = 0; r < runs; r++) {
                            const int32_t fx = fx0 + r;
                            const int32_t ix = ix0 + p->dilation_width * fx;
                            const int8_t *in = input + ((b * p->input_height + iy) * p->input_width + ix) * depth;
                            const int8_t *wr = w + (fy * p->filter_width + fx) * depth;
                            rune_dsp_dot4_s8(in, wr, wr + filter_size, wr + 2 * filter_size, wr + 3 * filter_size, run,
                                             offset, offset2, acc);
                        }
                    }
                    for (int32_t k = 0; k < 4; k++) {
                        out[oc + k] = rune_requantize_s8(&q, oc + k, acc[k] + (bias ? bias[oc + k] : 0));
                    }
                }
                for (; oc < p->output_depth; oc++) {
                    int32_t acc = bias ? bias[oc] : 0;
                    const int8_t *w = filter + oc * filter_size;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const int32_t iy = iy0 + p->dilation_height * fy;
                        for (int32_t r = 0; r < runs; r++) {
                            const int32_t fx = fx0 + r;
                            const int32_t ix = ix0 + p->dilation_width * fx;
                            const int8_t *in = input + ((b * p->input_height + iy) * p->input_width + ix) * depth;
                            acc += rune_dsp_dot_s8(in, w + (fy * p->filter_width + fx) * depth, run, offset, offset2);
                        }
                    }
                    out[oc] = rune_requantize_s8(&q, oc, acc);
                }
            }
        }
    }
}

#endif /* RUNE_KERNELS_DSP */

#endif /* RUNE_KERNELS_OPTIMIZED_CONV_2D_DSP_H */
