/*
 * pooling.h - AVERAGE_POOL_2D and MAX_POOL_2D, the header the generated C includes. There is only the
 * reference kernel (kernels/reference/pooling.h); an optimized one would go in
 * kernels/optimized/ and be chosen here, as kernels/conv_2d.h does.
 */
#ifndef RUNE_KERNELS_POOLING_H
#define RUNE_KERNELS_POOLING_H

#include "kernels/reference/pooling.h"

#endif /* RUNE_KERNELS_POOLING_H */
