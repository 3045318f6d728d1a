/*
 * softmax.h - SOFTMAX, the header the generated C includes. There is only the
 * reference kernel (kernels/reference/softmax.h); an optimized one would go in
 * kernels/optimized/ and be chosen here, as kernels/conv_2d.h does.
 */
#ifndef RUNE_KERNELS_SOFTMAX_H
#define RUNE_KERNELS_SOFTMAX_H

#include "kernels/reference/softmax.h"

#endif /* RUNE_KERNELS_SOFTMAX_H */
