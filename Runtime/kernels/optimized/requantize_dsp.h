/*
 * optimized/requantize_dsp.h - requantization of the DSP kernels' sums without branches, for
 * the common case.
 *
 * rune_requantize_channel_s8 chooses among three forms of a channel's scale at every output
 * (rune_channel_scale.mode). Every channel of a TFLite int8 convolution whose scale is below 1/2
 * (a right shift, so no left shift) is in the folded form, mode 0: one SMLAL and one shift.
 * The DSP kernels requantize a few channels at every pixel: they fold those channels' scales
 * once (rune_dsp_fold) and, when all of them fold, requantize with the folded form alone; the
 * loads of the constants and the dispatch were most of the requantization's instructions.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_REQUANTIZE_DSP_H
#define RUNE_KERNELS_OPTIMIZED_REQUANTIZE_DSP_H

#include "kernels/common.h"

/* A channel scale in the folded form: the output is (high word of round + acc m + [acc < 0]
 * (-2^31)) >> shift, as rune_channel_scale_apply computes it in mode 0 (left shift 0). */
typedef struct rune_dsp_folded_scale {
    int64_t round;
    int32_t multiplier, shift;
} rune_dsp_folded_scale;

/* `s` folded into `f`; 0 (f untouched but defined) if its form is not the folded one. */
static inline int rune_dsp_fold(const rune_channel_scale *s, rune_dsp_folded_scale *f) {
    f->round = s->round;
    f->multiplier = s->multiplier;
    f->shift = s->right - 1;
    return s->mode == 0 && s->left == 0;
}

/* rune_requantize_channel_s8 for a channel whose scale folds. */
static inline int8_t rune_dsp_requantize_folded_s8(const rune_requantization *q, const rune_dsp_folded_scale *f,
                                                   int32_t acc) {
    /* (int32_t)(acc & INT32_MIN) is -2^31 exactly when acc < 0. */
    const int64_t sum = f->round + (int64_t)acc * f->multiplier + (int32_t)((uint32_t)acc & 0x80000000u);
    const int32_t scaled = (int32_t)(sum >> 32) >> f->shift;
    return (int8_t)rune_clamp_i32(scaled + q->output_offset, q->activation_min, q->activation_max);
}

#endif /* RUNE_KERNELS_OPTIMIZED_REQUANTIZE_DSP_H */
