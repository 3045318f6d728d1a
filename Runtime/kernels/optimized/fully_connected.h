/*
 * optimized/fully_connected.h - the fast int8 FULLY_CONNECTED, byte for byte
 * the same as rune_fully_connected_s8_reference (kernels/reference/fully_connected.h).
 *
 * sum((w + fo)(x + io)) = sum(wx) + io sum(w) + fo sum(x) + n fo io, so the inner loop is a
 * pure int8 dot product and a sum of the weights, with the offsets applied once per output.
 * Integer accumulation is exact, so the rearrangement does not change the result.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_FULLY_CONNECTED_H
#define RUNE_KERNELS_OPTIMIZED_FULLY_CONNECTED_H

#include "kernels/common.h"

static void rune_fully_connected_s8_optimized(const rune_fully_connected_params *p, const int8_t *input,
                                              const int8_t *filter, const int32_t *bias, int8_t *output) {
    const rune_requantization q = rune_fully_connected_requantization(p);
    const rune_channel_scale tensor = rune_channel_scale_of(&q, 0);
    for (int32_t b = 0; b < p->batches; b++) {
        const int8_t *in = input + b * p->input_depth;
        int32_t input_sum = 0;
        if (p->filter_offset != 0) {
            for (int32_t d = 0; d < p->input_depth; d++) input_sum += in[d];
        }
        for (int32_t oc = 0; oc < p->output_depth; oc++) {
            const int8_t *w = filter + oc * p->input_depth;
            int32_t acc = 0;
            int32_t filter_sum = 0;
            for (int32_t d = 0; d < p->input_depth; d++) {
                acc += (int32_t)w[d] * (int32_t)in[d];
                filter_sum += w[d];
            }
            acc += p->input_offset * filter_sum + p->filter_offset * input_sum
                 + p->input_depth * p->filter_offset * p->input_offset;
            if (bias) acc += bias[oc];
            output[b * p->output_depth + oc] = rune_requantize_with_tensor_s8(&q, &tensor, oc, acc);
        }
    }
}

#endif /* RUNE_KERNELS_OPTIMIZED_FULLY_CONNECTED_H */
