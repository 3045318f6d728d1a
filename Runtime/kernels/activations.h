/*
 * activations.h - RELU, RELU6, RELU_N1_TO_1, LOGISTIC and TANH, the header the generated C includes. There is only the
 * reference kernel (kernels/reference/activations.h); an optimized one would go in
 * kernels/optimized/ and be chosen here, as kernels/conv_2d.h does.
 */
#ifndef RUNE_KERNELS_ACTIVATIONS_H
#define RUNE_KERNELS_ACTIVATIONS_H

#include "kernels/reference/activations.h"

#endif /* RUNE_KERNELS_ACTIVATIONS_H */
