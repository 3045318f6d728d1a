/*
 * RUNE_KERNELS_REFERENCE_ONLY: every kernel header compiles on the reference kernels alone, and
 * the names the generated C calls are the reference kernels.
 */
#define RUNE_KERNELS_REFERENCE_ONLY
#include <stdio.h>
#include "rune.h"
#pragma GCC diagnostic ignored "-Wunused-function"
#include "kernels/activations.h"
#include "kernels/conv_2d.h"
#include "kernels/depthwise_conv_2d.h"
#include "kernels/elementwise.h"
#include "kernels/fully_connected.h"
#include "kernels/mean.h"
#include "kernels/pooling.h"
#include "kernels/quantize.h"
#include "kernels/shape_ops.h"
#include "kernels/softmax.h"
#include "kernels/svdf.h"

#if defined(RUNE_KERNELS_OPTIMIZED_CONV_2D_H) || defined(RUNE_KERNELS_OPTIMIZED_DEPTHWISE_CONV_2D_H) \
    || defined(RUNE_KERNELS_OPTIMIZED_FULLY_CONNECTED_H)
#error "RUNE_KERNELS_REFERENCE_ONLY still includes an optimized kernel"
#endif

int main(void) {
    /* A 1x1 convolution of one pixel: (3 + 1) * 2 + 5 = 13; 13 * 0.5 = 6.5 rounds to 7; plus 1 is 8. */
    const int32_t multiplier = 1 << 30, shift = 0, bias = 5;
    const int8_t input = 3, filter = 2;
    int8_t output = 0;
    const rune_conv_params p = {
        .batches = 1, .input_height = 1, .input_width = 1, .input_depth = 1, .filter_height = 1,
        .filter_width = 1, .output_height = 1, .output_width = 1, .output_depth = 1,
        .stride_height = 1, .stride_width = 1, .dilation_height = 1, .dilation_width = 1,
        .depth_multiplier = 1, .input_offset = 1, .output_offset = 1, .activation_min = -128,
        .activation_max = 127, .multipliers = &multiplier, .shifts = &shift,
    };
    rune_conv_2d_s8(&p, &input, &filter, &bias, &output);
    if (output != 8) {
        printf("rune_conv_2d_s8 gave %d, expected 8\n", output);
        return 1;
    }
    return 0;
}
