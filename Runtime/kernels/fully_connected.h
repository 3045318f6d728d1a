/*
 * fully_connected.h - FULLY_CONNECTED, the header the generated C includes:
 * the reference kernels (kernels/reference/fully_connected.h) and, unless
 * RUNE_KERNELS_REFERENCE_ONLY is defined, the optimized int8 kernel
 * (kernels/optimized/fully_connected.h), which gives the same bytes faster, or on a
 * core with the DSP extension the DSP kernel (kernels/optimized/fully_connected_dsp.h).
 */
#ifndef RUNE_KERNELS_FULLY_CONNECTED_H
#define RUNE_KERNELS_FULLY_CONNECTED_H

#include "kernels/reference/fully_connected.h"
/* Float kernels on weights runec packs at compile time; the same sums in the same order as the reference. */
#include "kernels/optimized/float_packed.h"
#ifndef RUNE_KERNELS_REFERENCE_ONLY
#include "kernels/optimized/fully_connected.h"
#include "kernels/optimized/fully_connected_dsp.h"
#endif

static void rune_fully_connected_s8(const rune_fully_connected_params *p, const int8_t *input,
                                    const int8_t *filter, const int32_t *bias, int8_t *output) {
#ifdef RUNE_KERNELS_REFERENCE_ONLY
    rune_fully_connected_s8_reference(p, input, filter, bias, output);
#elif defined(RUNE_KERNELS_DSP)
    rune_fully_connected_s8_dsp(p, input, filter, bias, output);
#else
    rune_fully_connected_s8_optimized(p, input, filter, bias, output);
#endif
}

#endif /* RUNE_KERNELS_FULLY_CONNECTED_H */
