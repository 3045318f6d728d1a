/*
 * optimized/pointwise_dsp.h - int8 pointwise CONV_2D (1x1 filter, stride 1, no padding) on the
 * Armv7E-M DSP extension with its weights laid out by runec for it, byte for byte the same as
 * rune_conv_2d_s8_reference.
 *
 * A pointwise convolution is a matrix product of pixels by output channels. With int8 weights
 * (rune_conv_2d_s8_dsp_pointwise) unpacking both operands to the 16-bit lanes SMLAD multiplies
 * takes about as many instructions as the multiply-adds, and its two pixels by two channels
 * need more registers than a Cortex-M has. Here runec has unpacked the weights at compile time,
 * so the inner loop unpacks only the input, one pixel by four channels: per four bytes of depth,
 * one input word and two SXTB16, eight weight words and eight SMLAD for 16 multiply-adds, all
 * in registers. The cost is flash: each weight takes two bytes, not one.
 *
 * The layout (int16, 4-byte aligned): output channels in groups of four, a b c d = 4j..4j+3
 * (channels past the last have zero weights), group after group, each 4 x depth values:
 *   for each block of four input channels k = 0, 4, ...:
 *       a[k] a[k+2] a[k+1] a[k+3]  b[k] b[k+2] b[k+1] b[k+3]  c[...]  d[...]
 *     (the lanes of SXTB16 and SXTB16 with ROR #8 of the input word x[k..k+3]);
 *   then for each of the last depth % 4 input channels k:  a[k] b[k] c[k] d[k].
 * rune_dsp_pointwise_layout_index gives the place of a weight; the generator writes the same
 * layout (Sources/RuneModels/Models/DSPWeightLayout.swift).
 *
 * The input offset is folded into a sum of each channel's weights, computed once per group:
 * sum(w (x + offset)) = sum(w x) + offset sum(w), exact in 32-bit wrapping arithmetic as the
 * reference's sum is.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_POINTWISE_DSP_H
#define RUNE_KERNELS_OPTIMIZED_POINTWISE_DSP_H

#include "kernels/optimized/arm_dsp.h"
#include "kernels/optimized/requantize_dsp.h"

/* The number of int16 values of the layout for `channels` output channels of `depth` inputs. */
static inline int32_t rune_dsp_pointwise_layout_size(int32_t channels, int32_t depth) {
    return (channels + 3) / 4 * 4 * depth;
}

/* Where the weight of output channel `channel` for input channel k is in the layout. */
static inline int32_t rune_dsp_pointwise_layout_index(int32_t channel, int32_t k, int32_t depth) {
    static const int8_t lane[4] = {0, 2, 1, 3};
    const int32_t group = channel / 4 * 4 * depth, member = channel % 4;
    const int32_t blocks = depth / 4 * 4;
    if (k < blocks) return group + k / 4 * 16 + member * 4 + lane[k % 4];
    return group + blocks * 4 + (k - blocks) * 4 + member;
}

#ifdef RUNE_KERNELS_DSP

/* Two int16 lanes of the layout, from a 4-byte aligned address. */
static inline uint32_t rune_dsp_load2x16(const int16_t *w) {
    uint32_t v;
    __builtin_memcpy(&v, __builtin_assume_aligned(w, 4), 4);
    return v;
}

/* sums[j] = sum(x[k] * w_j[k]) over the depth, for the four channels of the group at w. */
static inline void rune_dsp_pointwise_1x4(const int8_t *x, const int16_t *w, int32_t depth, int32_t *sums) {
    int32_t a = 0, b = 0, c = 0, d = 0;
    for (int32_t n = depth >> 2; n > 0; n--, x += 4, w += 16) {
        const uint32_t xw = rune_dsp_load4(x);
        const uint32_t xe = rune_dsp_sxtb16(xw), xo = rune_dsp_sxtb16(rune_dsp_ror8(xw));
        a = rune_dsp_smlad(xe, rune_dsp_load2x16(w), a);
        a = rune_dsp_smlad(xo, rune_dsp_load2x16(w + 2), a);
        b = rune_dsp_smlad(xe, rune_dsp_load2x16(w + 4), b);
        b = rune_dsp_smlad(xo, rune_dsp_load2x16(w + 6), b);
        c = rune_dsp_smlad(xe, rune_dsp_load2x16(w + 8), c);
        c = rune_dsp_smlad(xo, rune_dsp_load2x16(w + 10), c);
        d = rune_dsp_smlad(xe, rune_dsp_load2x16(w + 12), d);
        d = rune_dsp_smlad(xo, rune_dsp_load2x16(w + 14), d);
    }
    for (int32_t k = 0; k < (depth & 3); k++, w += 4) {
        const int32_t v = x[k];
        a += v * w[0];
        b += v * w[1];
        c += v * w[2];
        d += v * w[3];
    }
    sums[0] = a;
    sums[1] = b;
    sums[2] = c;
    sums[3] = d;
}

/* The sum of each channel's weights in the group at w. */
static inline void rune_dsp_pointwise_weight_sums(const int16_t *w, int32_t depth, int32_t *sums) {
    for (int32_t j = 0; j < 4; j++) sums[j] = 0;
    int32_t k = 0;
    for (; k + 4 <= depth; k += 4, w += 16) {
        for (int32_t j = 0; j < 4; j++) {
            sums[j] = rune_dsp_smlad(rune_dsp_load2x16(w + 4 * j), 0x00010001u, sums[j]);
            sums[j] = rune_dsp_smlad(rune_dsp_load2x16(w + 4 * j + 2), 0x00010001u, sums[j]);
        }
    }
    for (; k < depth; k++, w += 4) {
        for (int32_t j = 0; j < 4; j++) sums[j] += w[j];
    }
}

/* A pointwise CONV_2D (1x1 filter, stride 1, no padding) with `filter` in the layout above. */
static void rune_conv_2d_s8_dsp_pointwise_packed(const rune_conv_params *p, const int8_t *input, const int16_t *filter,
                                                 const int32_t *bias, int8_t *output) {
    const int32_t depth = p->input_depth, channels = p->output_depth;
    const int32_t pixels = p->batches * p->output_height * p->output_width;
    const rune_requantization q = rune_conv_requantization(p);
    for (int32_t oc = 0; oc < channels; oc += 4) {
        const int16_t *w = filter + oc * depth;
        /* Channels of the group past the last one are computed and not stored. */
        const int32_t count = rune_min_i32(4, channels - oc);
        int32_t base[4];
        rune_dsp_pointwise_weight_sums(w, depth, base);
        rune_channel_scale scales[4];
        rune_dsp_folded_scale folded_scales[4];
        int folded = count == 4;
        for (int32_t j = 0; j < 4; j++) {
            base[j] = j < count ? p->input_offset * base[j] + (bias ? bias[oc + j] : 0) : 0;
            scales[j] = rune_channel_scale_of(&q, j < count ? oc + j : oc);
            folded &= rune_dsp_fold(&scales[j], &folded_scales[j]);
        }
        const int8_t *x = input;
        int8_t *out = output + oc;
        for (int32_t px = 0; px < pixels; px++, x += depth, out += channels) {
            int32_t sums[4];
            rune_dsp_pointwise_1x4(x, w, depth, sums);
            if (folded) {
                out[0] = rune_dsp_requantize_folded_s8(&q, &folded_scales[0], sums[0] + base[0]);
                out[1] = rune_dsp_requantize_folded_s8(&q, &folded_scales[1], sums[1] + base[1]);
                out[2] = rune_dsp_requantize_folded_s8(&q, &folded_scales[2], sums[2] + base[2]);
                out[3] = rune_dsp_requantize_folded_s8(&q, &folded_scales[3], sums[3] + base[3]);
            } else {
                for (int32_t j = 0; j < count; j++) out[j] = rune_requantize_channel_s8(&q, &scales[j], sums[j] + base[j]);
            }
        }
    }
}

#endif /* RUNE_KERNELS_DSP */

#endif /* RUNE_KERNELS_OPTIMIZED_POINTWISE_DSP_H */
