/*
 * conv_2d.h - CONV_2D, the header the generated C includes: the reference
 * kernels (kernels/reference/conv_2d.h) and, unless RUNE_KERNELS_REFERENCE_ONLY
 * is defined, the optimized int8 kernel (kernels/optimized/conv_2d.h), which
 * gives the same bytes faster, or on a core with the DSP extension the DSP kernel
 * (kernels/optimized/conv_2d_dsp.h). There the generated C calls the pointwise
 * kernel of kernels/optimized/pointwise_dsp.h directly, with the filter laid out
 * for it at compile time.
 */
#ifndef RUNE_KERNELS_CONV_2D_H
#define RUNE_KERNELS_CONV_2D_H

#include "kernels/reference/conv_2d.h"
/* Float kernels on weights runec packs at compile time; the same sums in the same order as the reference. */
#include "kernels/optimized/float_packed.h"
#ifndef RUNE_KERNELS_REFERENCE_ONLY
#include "kernels/optimized/conv_2d.h"
#include "kernels/optimized/conv_2d_dsp.h"
#include "kernels/optimized/pointwise_dsp.h"
#include "kernels/optimized/uint8.h"
#endif

static void rune_conv_2d_u8(const rune_conv_params *p, const uint8_t *input, const uint8_t *filter,
                            const int32_t *bias, uint8_t *output) {
#ifdef RUNE_KERNELS_REFERENCE_ONLY
    rune_conv_2d_u8_reference(p, input, filter, bias, output);
#else
    rune_conv_2d_u8_optimized(p, input, filter, bias, output);
#endif
}

static void rune_conv_2d_s8(const rune_conv_params *p, const int8_t *input, const int8_t *filter,
                            const int32_t *bias, int8_t *output) {
#ifdef RUNE_KERNELS_REFERENCE_ONLY
    rune_conv_2d_s8_reference(p, input, filter, bias, output);
#elif defined(RUNE_KERNELS_DSP)
    rune_conv_2d_s8_dsp(p, input, filter, bias, output);
#else
    rune_conv_2d_s8_optimized(p, input, filter, bias, output);
#endif
}

/* 1x1 convolutions on weights runec packs at compile time; above, the kernels they fall back on. */
#include "kernels/optimized/pointwise_packed.h"

#endif /* RUNE_KERNELS_CONV_2D_H */
