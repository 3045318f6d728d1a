/*
 * reference/pooling.h - AVERAGE_POOL_2D and MAX_POOL_2D: float32, int8, uint8.
 *
 * The window is clipped to the input (padding is not counted); a quantized
 * average rounds half away from zero, as TFLite's reference does. Input and
 * output share quantization.
 */
#ifndef RUNE_KERNELS_REFERENCE_POOLING_H
#define RUNE_KERNELS_REFERENCE_POOLING_H

#include "kernels/common.h"

/* The window of output (oy, ox), clipped to the input: taps [fy0, fy1) x [fx0, fx1). */
#define RUNE_POOL_WINDOW                                                                        \
    const int32_t iy0 = oy * p->stride_height - p->pad_height;                                  \
    const int32_t ix0 = ox * p->stride_width - p->pad_width;                                    \
    const int32_t fy0 = iy0 < 0 ? -iy0 : 0;                                                     \
    const int32_t fy1 = p->filter_height < p->input_height - iy0 ? p->filter_height : p->input_height - iy0; \
    const int32_t fx0 = ix0 < 0 ? -ix0 : 0;                                                     \
    const int32_t fx1 = p->filter_width < p->input_width - ix0 ? p->filter_width : p->input_width - ix0;

#define RUNE_POOL_INDEX(b, y, x, c) ((((b) * p->input_height + (y)) * p->input_width + (x)) * p->input_depth + (c))
#define RUNE_POOL_OUT(b, y, x, c) ((((b) * p->output_height + (y)) * p->output_width + (x)) * p->output_depth + (c))

static void rune_average_pool_2d_f32(const rune_conv_params *p, const float *input, float *output) {
    for (int32_t b = 0; b < p->batches; b++)
        for (int32_t oy = 0; oy < p->output_height; oy++)
            for (int32_t ox = 0; ox < p->output_width; ox++) {
                RUNE_POOL_WINDOW
                for (int32_t c = 0; c < p->output_depth; c++) {
                    float total = 0.0f;
                    int32_t count = 0;
                    for (int32_t fy = fy0; fy < fy1; fy++)
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            total += input[RUNE_POOL_INDEX(b, iy0 + fy, ix0 + fx, c)];
                            count++;
                        }
                    const float average = count ? total / (float)count : 0.0f;
                    output[RUNE_POOL_OUT(b, oy, ox, c)] = rune_clamp_f32(average, p->float_min, p->float_max);
                }
            }
}

static void rune_max_pool_2d_f32_reference(const rune_conv_params *p, const float *input, float *output) {
    for (int32_t b = 0; b < p->batches; b++)
        for (int32_t oy = 0; oy < p->output_height; oy++)
            for (int32_t ox = 0; ox < p->output_width; ox++) {
                RUNE_POOL_WINDOW
                for (int32_t c = 0; c < p->output_depth; c++) {
                    float best = -3.40282347e+38f;
                    for (int32_t fy = fy0; fy < fy1; fy++)
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const float x = input[RUNE_POOL_INDEX(b, iy0 + fy, ix0 + fx, c)];
                            if (x > best) best = x;
                        }
                    output[RUNE_POOL_OUT(b, oy, ox, c)] = rune_clamp_f32(best, p->float_min, p->float_max);
                }
            }
}

/* Defines the average and max pools over the integer element type T. */
#define RUNE_DEFINE_QUANTIZED_POOLS(suffix, T)                                                  \
    static void rune_average_pool_2d_##suffix(const rune_conv_params *p, const T *input, T *output) { \
        for (int32_t b = 0; b < p->batches; b++)                                                \
            for (int32_t oy = 0; oy < p->output_height; oy++)                                   \
                for (int32_t ox = 0; ox < p->output_width; ox++) {                              \
                    RUNE_POOL_WINDOW                                                            \
                    for (int32_t c = 0; c < p->output_depth; c++) {                             \
                        int32_t acc = 0;                                                        \
                        int32_t count = 0;                                                      \
                        for (int32_t fy = fy0; fy < fy1; fy++)                                  \
                            for (int32_t fx = fx0; fx < fx1; fx++) {                            \
                                acc += input[RUNE_POOL_INDEX(b, iy0 + fy, ix0 + fx, c)];        \
                                count++;                                                        \
                            }                                                                   \
                        if (count == 0) count = 1;                                              \
                        acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;  \
                        output[RUNE_POOL_OUT(b, oy, ox, c)] =                                   \
                            (T)rune_clamp_i32(acc, p->activation_min, p->activation_max);       \
                    }                                                                           \
                }                                                                               \
    }                                                                                           \
    static void rune_max_pool_2d_##suffix(const rune_conv_params *p, const T *input, T *output) { \
        for (int32_t b = 0; b < p->batches; b++)                                                \
            for (int32_t oy = 0; oy < p->output_height; oy++)                                   \
                for (int32_t ox = 0; ox < p->output_width; ox++) {                              \
                    RUNE_POOL_WINDOW                                                            \
                    for (int32_t c = 0; c < p->output_depth; c++) {                             \
                        int32_t best = p->activation_min;                                       \
                        int32_t first = 1;                                                      \
                        for (int32_t fy = fy0; fy < fy1; fy++)                                  \
                            for (int32_t fx = fx0; fx < fx1; fx++) {                            \
                                const int32_t x = input[RUNE_POOL_INDEX(b, iy0 + fy, ix0 + fx, c)]; \
                                if (first || x > best) best = x;                                \
                                first = 0;                                                      \
                            }                                                                   \
                        output[RUNE_POOL_OUT(b, oy, ox, c)] =                                   \
                            (T)rune_clamp_i32(best, p->activation_min, p->activation_max);      \
                    }                                                                           \
                }                                                                               \
    }

RUNE_DEFINE_QUANTIZED_POOLS(s8, int8_t)
RUNE_DEFINE_QUANTIZED_POOLS(u8, uint8_t)

#endif /* RUNE_KERNELS_REFERENCE_POOLING_H */
