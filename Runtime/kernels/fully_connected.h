/*
 * fully_connected.h - FULLY_CONNECTED, the header the generated C includes:
 * the reference kernels (kernels/reference/fully_connected.h) and, unless
 * RUNE_KERNELS_REFERENCE_ONLY is defined, the optimized int8 kernel
 * (kernels/optimized/fully_connected.h), which gives the same bytes faster.
 */
#ifndef RUNE_KERNELS_FULLY_CONNECTED_H
#define RUNE_KERNELS_FULLY_CONNECTED_H

#include "kernels/reference/fully_connected.h"
#ifndef RUNE_KERNELS_REFERENCE_ONLY
#include "kernels/optimized/fully_connected.h"
#endif

static void rune_fully_connected_s8(const rune_fully_connected_params *p, const int8_t *input,
                                    const int8_t *filter, const int32_t *bias, int8_t *output) {
#ifdef RUNE_KERNELS_REFERENCE_ONLY
    rune_fully_connected_s8_reference(p, input, filter, bias, output);
#else
    rune_fully_connected_s8_optimized(p, input, filter, bias, output);
#endif
}

#endif /* RUNE_KERNELS_FULLY_CONNECTED_H */
