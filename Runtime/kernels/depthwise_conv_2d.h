/*
 * depthwise_conv_2d.h - DEPTHWISE_CONV_2D, the header the generated C
 * includes: the reference kernels (kernels/reference/depthwise_conv_2d.h) and,
 * unless RUNE_KERNELS_REFERENCE_ONLY is defined, the optimized int8 kernel
 * (kernels/optimized/depthwise_conv_2d.h), which gives the same bytes faster: on a core with
 * the DSP extension the DSP kernel, on a target with a vector unit the row-wise kernels of
 * kernels/optimized/depthwise_vector.h (int8 and uint8).
 */
#ifndef RUNE_KERNELS_DEPTHWISE_CONV_2D_H
#define RUNE_KERNELS_DEPTHWISE_CONV_2D_H

#include "kernels/reference/depthwise_conv_2d.h"
#ifndef RUNE_KERNELS_REFERENCE_ONLY
#include "kernels/optimized/depthwise_conv_2d.h"
#include "kernels/optimized/depthwise_conv_2d_dsp.h"
#include "kernels/optimized/float_packed.h"
#include "kernels/optimized/uint8.h"
#include "kernels/optimized/depthwise_vector.h"
#endif

static void rune_depthwise_conv_2d_u8(const rune_conv_params *p, const uint8_t *input, const uint8_t *filter,
                                      const int32_t *bias, uint8_t *output) {
#ifdef RUNE_KERNELS_REFERENCE_ONLY
    rune_depthwise_conv_2d_u8_reference(p, input, filter, bias, output);
#else
#ifdef RUNE_KERNELS_VECTOR
    if (rune_depthwise_vector_fits(p)) {
        rune_depthwise_conv_2d_u8_vector(p, input, filter, bias, output);
        return;
    }
#endif
    rune_depthwise_conv_2d_u8_optimized(p, input, filter, bias, output);
#endif
}

static void rune_depthwise_conv_2d_f32(const rune_conv_params *p, const float *input, const float *filter,
                                       const float *bias, float *output) {
#ifdef RUNE_KERNELS_REFERENCE_ONLY
    rune_depthwise_conv_2d_f32_reference(p, input, filter, bias, output);
#else
    rune_depthwise_conv_2d_f32_optimized(p, input, filter, bias, output);
#endif
}

static void rune_depthwise_conv_2d_s8(const rune_conv_params *p, const int8_t *input, const int8_t *filter,
                                      const int32_t *bias, int8_t *output) {
#ifdef RUNE_KERNELS_REFERENCE_ONLY
    rune_depthwise_conv_2d_s8_reference(p, input, filter, bias, output);
#elif defined(RUNE_KERNELS_DSP)
    rune_depthwise_conv_2d_s8_dsp(p, input, filter, bias, output);
#else
#ifdef RUNE_KERNELS_VECTOR
    if (rune_depthwise_vector_fits(p)) {
        rune_depthwise_conv_2d_s8_vector(p, input, filter, bias, output);
        return;
    }
#endif
    rune_depthwise_conv_2d_s8_optimized(p, input, filter, bias, output);
#endif
}

#endif /* RUNE_KERNELS_DEPTHWISE_CONV_2D_H */
