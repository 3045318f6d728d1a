/*
 * svdf.h - SVDF, the header the generated C includes. There is only the
 * reference kernel (kernels/reference/svdf.h); an optimized one would go in
 * kernels/optimized/ and be chosen here, as kernels/conv_2d.h does.
 */
#ifndef RUNE_KERNELS_SVDF_H
#define RUNE_KERNELS_SVDF_H

#include "kernels/reference/svdf.h"

#endif /* RUNE_KERNELS_SVDF_H */
