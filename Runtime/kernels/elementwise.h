/*
 * elementwise.h - ADD, SUB and MUL, the header the generated C includes. There is only the
 * reference kernel (kernels/reference/elementwise.h); an optimized one would go in
 * kernels/optimized/ and be chosen here, as kernels/conv_2d.h does.
 */
#ifndef RUNE_KERNELS_ELEMENTWISE_H
#define RUNE_KERNELS_ELEMENTWISE_H

#include "kernels/reference/elementwise.h"

#endif /* RUNE_KERNELS_ELEMENTWISE_H */
