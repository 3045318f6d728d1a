/*
 * mean.h - MEAN, the header the generated C includes. There is only the
 * reference kernel (kernels/reference/mean.h); an optimized one would go in
 * kernels/optimized/ and be chosen here, as kernels/conv_2d.h does.
 */
#ifndef RUNE_KERNELS_MEAN_H
#define RUNE_KERNELS_MEAN_H

#include "kernels/reference/mean.h"

#endif /* RUNE_KERNELS_MEAN_H */
