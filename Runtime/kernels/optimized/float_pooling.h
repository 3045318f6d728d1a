/*
 * optimized/float_pooling.h - float32 MAX_POOL_2D with a pixel's channels taken a vector at a time:
 * the reference kernel (kernels/reference/pooling.h) walks the window once per channel, a loop
 * the compiler cannot vectorize. Each channel still compares the same inputs in the same order
 * (x > best keeps the first of equal values and never takes a NaN), so the results are identical.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_FLOAT_POOLING_H
#define RUNE_KERNELS_OPTIMIZED_FLOAT_POOLING_H

#include "kernels/common.h"
#include "kernels/optimized/float_vector.h"

static void rune_max_pool_2d_f32_optimized(const rune_conv_params *p, const float *input, float *output) {
    const int32_t depth = p->output_depth;
    const float lowest = -3.40282347e+38f;
    const rune_f32v lo = rune_splat_f32v(p->float_min), hi = rune_splat_f32v(p->float_max);
    for (int32_t b = 0; b < p->batches; b++) {
        for (int32_t oy = 0; oy < p->output_height; oy++) {
            for (int32_t ox = 0; ox < p->output_width; ox++) {
                const int32_t iy0 = oy * p->stride_height - p->pad_height;
                const int32_t ix0 = ox * p->stride_width - p->pad_width;
                /* The window clipped to the input, as the reference's RUNE_POOL_WINDOW. */
                const int32_t fy0 = iy0 < 0 ? -iy0 : 0, fx0 = ix0 < 0 ? -ix0 : 0;
                const int32_t fy1 = rune_min_i32(p->filter_height, p->input_height - iy0);
                const int32_t fx1 = rune_min_i32(p->filter_width, p->input_width - ix0);
                /* Where tap (0, 0) would be: negative over the top or left edge, where no tap is read. */
                const int32_t origin = ((b * p->input_height + iy0) * p->input_width + ix0) * depth;
                float *out = output + ((b * p->output_height + oy) * p->output_width + ox) * depth;
                int32_t c = 0;
                for (; c + RUNE_FLOAT_LANES <= depth; c += RUNE_FLOAT_LANES) {
                    rune_f32v best = rune_splat_f32v(lowest);
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const rune_f32v x = rune_load_f32v(input + origin + (fy * p->input_width + fx) * depth + c);
                            best = rune_select_f32v(x > best, x, best);
                        }
                    }
                    rune_store_f32v(out + c, rune_clamp_f32v(best, lo, hi));
                }
                for (; c < depth; c++) {
                    float best = lowest;
                    for (int32_t fy = fy0; fy < fy1; fy++)
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            const float x = input[origin + (fy * p->input_width + fx) * depth + c];
                            if (x > best) best = x;
                        }
                    out[c] = rune_clamp_f32(best, p->float_min, p->float_max);
                }
            }
        }
    }
}

#endif /* RUNE_KERNELS_OPTIMIZED_FLOAT_POOLING_H */
