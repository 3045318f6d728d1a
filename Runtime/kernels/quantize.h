/*
 * quantize.h - QUANTIZE and DEQUANTIZE, the header the generated C includes. There is only the
 * reference kernel (kernels/reference/quantize.h); an optimized one would go in
 * kernels/optimized/ and be chosen here, as kernels/conv_2d.h does.
 */
#ifndef RUNE_KERNELS_QUANTIZE_H
#define RUNE_KERNELS_QUANTIZE_H

#include "kernels/reference/quantize.h"

#endif /* RUNE_KERNELS_QUANTIZE_H */
