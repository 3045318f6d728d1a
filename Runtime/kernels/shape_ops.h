/*
 * shape_ops.h - PAD, CONCATENATION and the copy of a RESHAPE, the header the generated C includes. There is only the
 * reference kernel (kernels/reference/shape_ops.h); an optimized one would go in
 * kernels/optimized/ and be chosen here, as kernels/conv_2d.h does.
 */
#ifndef RUNE_KERNELS_SHAPE_OPS_H
#define RUNE_KERNELS_SHAPE_OPS_H

#include "kernels/reference/shape_ops.h"

#endif /* RUNE_KERNELS_SHAPE_OPS_H */
