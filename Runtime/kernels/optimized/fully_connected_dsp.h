/*
 * optimized/fully_connected_dsp.h - int8 FULLY_CONNECTED on the Armv7E-M DSP extension, byte for
 * byte the same as rune_fully_connected_s8_reference.
 *
 * Each input word is unpacked once, with the input offset added by SXTAB16, for four weight rows,
 * which take two SMLAD each per four bytes: no separate sum of the weights or of the input.
 * Weights with a zero point (not TFLite's int8, but the kernel takes one) use the plain path.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_FULLY_CONNECTED_DSP_H
#define RUNE_KERNELS_OPTIMIZED_FULLY_CONNECTED_DSP_H

#include "kernels/optimized/arm_dsp.h"
#include "kernels/optimized/fully_connected.h"

#ifdef RUNE_KERNELS_DSP

static void rune_fully_connected_s8_dsp(const rune_fully_connected_params *p, const int8_t *input,
                                        const int8_t *filter, const int32_t *bias, int8_t *output) {
    if (p->filter_offset != 0) {
        rune_fully_connected_s8_optimized(p, input, filter, bias, output);
        return;
    }
    const int32_t depth = p->input_depth;
    const uint32_t offset2 = rune_dsp_pair(p->input_offset);
    const rune_requantization q = rune_fully_connected_requantization(p);
    const rune_channel_scale tensor = rune_channel_scale_of(&q, 0);
    for (int32_t b = 0; b < p->batches; b++) {
        const int8_t *in = input + b * depth;
        int8_t *out = output + b * p->output_depth;
        int32_t oc = 0;
        for (; oc + 4 <= p->output_depth; oc += 4) {
            const int8_t *w = filter + oc * depth;
            int32_t acc[4] = {0, 0, 0, 0};
            rune_dsp_dot4_s8(in, w, w + depth, w + 2 * depth, w + 3 * depth, depth, p->input_offset, offset2, acc);
            for (int32_t k = 0; k < 4; k++) {
                out[oc + k] = rune_requantize_with_tensor_s8(&q, &tensor, oc + k, acc[k] + (bias ? bias[oc + k] : 0));
            }
        }
        for (; oc < p->output_depth; oc++) {
            const int32_t acc = rune_dsp_dot_s8(in, filter + oc * depth, depth, p->input_offset, offset2);
            out[oc] = rune_requantize_with_tensor_s8(&q, &tensor, oc, acc + (bias ? bias[oc] : 0));
        }
    }
}

#endif /* RUNE_KERNELS_DSP */

#endif /* RUNE_KERNELS_OPTIMIZED_FULLY_CONNECTED_DSP_H */
