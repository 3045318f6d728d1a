/*
 * svdf.h - SVDF, the header the generated C includes: the reference kernels
 * (kernels/reference/svdf.h) and, unless RUNE_KERNELS_REFERENCE_ONLY is defined,
 * the optimized int8-state kernel (kernels/optimized/svdf.h), which gives the same
 * bytes faster.
 */
#ifndef RUNE_KERNELS_SVDF_H
#define RUNE_KERNELS_SVDF_H

#include "kernels/reference/svdf.h"
#ifndef RUNE_KERNELS_REFERENCE_ONLY
#include "kernels/optimized/svdf.h"
#endif

static void rune_svdf_s8(const rune_svdf_params *p, const int8_t *input, const int8_t *feature_weights,
                         const int8_t *time_weights, const int32_t *bias, int8_t *state, int8_t *output,
                         int32_t *scratch) {
#ifdef RUNE_KERNELS_REFERENCE_ONLY
    rune_svdf_s8_reference(p, input, feature_weights, time_weights, bias, state, output, scratch);
#else
    rune_svdf_s8_optimized(p, input, feature_weights, time_weights, bias, state, output, scratch);
#endif
}

#endif /* RUNE_KERNELS_SVDF_H */
