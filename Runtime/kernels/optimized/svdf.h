/*
 * optimized/svdf.h - the fast SVDF with an int8 state, byte for byte the same as
 * rune_svdf_s8_reference (kernels/reference/svdf.h).
 *
 * sum(w (x - zero point)) = sum(w x) - zero point sum(w): both sums are of int8 x int8 products,
 * which fit 16 bits, so the compiler vectorizes them as 16-bit multiplies (SSE2's PMULLW,
 * wasm's i16x8 lanes after translation) instead of emulating 32-bit ones. Integer sums are exact,
 * so splitting them does not change the result. On a core with the DSP extension the sums
 * are rune_dsp_dot_s8's SXTAB16 and SMLAD instead, with the offset added as the input unpacks.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_SVDF_H
#define RUNE_KERNELS_OPTIMIZED_SVDF_H

#include "kernels/reference/svdf.h"
#include "kernels/optimized/arm_dsp.h"

/* sum(a[i] b[i]) of int8 values, written so that each product is seen to fit 16 bits. */
static inline int32_t rune_svdf_dot_s8(const int8_t *a, const int8_t *b, int32_t count) {
    int32_t total = 0;
    for (int32_t i = 0; i < count; i++) total += (int16_t)a[i] * (int16_t)b[i];
    return total;
}

static inline int32_t rune_svdf_sum_s8(const int8_t *a, int32_t count) {
    int32_t total = 0;
    for (int32_t i = 0; i < count; i++) total += a[i];
    return total;
}

/*
 * sum(w[i] (x[i] + offset)), offset within [-128, 128]. `offset_sum`, if not NULL, is offset
 * sum(w[i]) from compile time: then only sum(w x) is left to do (SXTAB16 adds the offset for
 * nothing on a DSP core, so it ignores it).
 */
static inline int32_t rune_svdf_dot_offset_s8(const int8_t *w, const int8_t *x, int32_t count, int32_t offset,
                                              const int32_t *offset_sum) {
#ifdef RUNE_KERNELS_DSP
    (void)offset_sum;
    return rune_dsp_dot_s8(x, w, count, offset, rune_dsp_pair(offset));
#else
    if (offset_sum) return rune_svdf_dot_s8(w, x, count) + *offset_sum;
#if defined(__ARM_ARCH)
    /* An Arm core without SIMD: one multiply-add per element beats two sums. */
    int32_t total = 0;
    for (int32_t i = 0; i < count; i++) total += (int32_t)w[i] * ((int32_t)x[i] + offset);
    return total;
#else
    return rune_svdf_dot_s8(w, x, count) + offset * rune_svdf_sum_s8(w, count);
#endif
#endif
}

static void rune_svdf_s8_optimized(const rune_svdf_params *p, const int8_t *input, const int8_t *feature_weights,
                                   const int8_t *time_weights, const int32_t *bias, int8_t *state, int8_t *output,
                                   int32_t *scratch) {
    const int32_t total = p->batches * p->filters * p->memory;
    /* Both requantizations have one multiplier for every filter and unit: their constants once. */
    const rune_channel_scale scale1 = rune_channel_scale_make(p->multiplier1, p->shift1);
    const rune_channel_scale scale2 = rune_channel_scale_make(p->multiplier2, p->shift2);
    const int32_t state_min = p->state_min, state_max = p->state_max, state_zero_point = p->state_zero_point;
    for (int32_t i = 0; i + 1 < total; i++) state[i] = state[i + 1];
    for (int32_t b = 0; b < p->batches; b++) {
        const int8_t *in = input + b * p->input_size;
        for (int32_t f = 0; f < p->filters; f++) {
            const int8_t *w = feature_weights + f * p->input_size;
            int32_t dot = rune_svdf_dot_offset_s8(w, in, p->input_size, -p->input_zero_point,
                                                  p->offset_sums ? p->offset_sums + f : NULL);
            dot = rune_clamp_i32(rune_channel_scale_apply(&scale1, dot), state_min, state_max);
            state[(b * p->filters + f) * p->memory + p->memory - 1] = (int8_t)(state_zero_point + dot);
        }
    }
    int32_t *filtered = scratch;
    int32_t *units = scratch + p->batches * p->filters;
    for (int32_t b = 0; b < p->batches; b++) {
        for (int32_t f = 0; f < p->filters; f++) {
            const int8_t *tw = time_weights + f * p->memory;
            const int8_t *s = state + (b * p->filters + f) * p->memory;
            filtered[b * p->filters + f] = rune_svdf_dot_offset_s8(
                tw, s, p->memory, -p->state_zero_point, p->offset_sums ? p->offset_sums + p->filters + f : NULL);
        }
    }
    for (int32_t b = 0; b < p->batches; b++) {
        for (int32_t u = 0; u < p->units; u++) {
            int32_t sum = bias ? bias[u] : 0;
            for (int32_t r = 0; r < p->rank; r++) sum += filtered[b * p->filters + u * p->rank + r];
            units[b * p->units + u] = sum;
        }
    }
    const int32_t output_zero_point = p->output_zero_point;
    for (int32_t i = 0; i < p->batches * p->units; i++) {
        output[i] = (int8_t)rune_clamp_i32(rune_channel_scale_apply(&scale2, units[i]) + output_zero_point, -128, 127);
    }
}

#endif /* RUNE_KERNELS_OPTIMIZED_SVDF_H */
