/*
 * pooling.h - AVERAGE_POOL_2D and MAX_POOL_2D, the header the generated C includes: the reference
 * kernels (kernels/reference/pooling.h) and, unless RUNE_KERNELS_REFERENCE_ONLY is defined, the
 * float max pool of kernels/optimized/float_pooling.h, which gives the same values faster.
 */
#ifndef RUNE_KERNELS_POOLING_H
#define RUNE_KERNELS_POOLING_H

#include "kernels/reference/pooling.h"
#ifndef RUNE_KERNELS_REFERENCE_ONLY
#include "kernels/optimized/float_pooling.h"
#endif

static void rune_max_pool_2d_f32(const rune_conv_params *p, const float *input, float *output) {
#ifdef RUNE_KERNELS_REFERENCE_ONLY
    rune_max_pool_2d_f32_reference(p, input, output);
#else
    rune_max_pool_2d_f32_optimized(p, input, output);
#endif
}

#endif /* RUNE_KERNELS_POOLING_H */
