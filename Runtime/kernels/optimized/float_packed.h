/*
 * optimized/float_packed.h - float32 CONV_2D and FULLY_CONNECTED on weights that runec packs at
 * compile time as [taps x input depth][output depth] (the model's [output depth][taps x input
 * depth], transposed), and float32 DEPTHWISE_CONV_2D, which needs no packing.
 *
 * The convolution computes a tile of output pixels times a block of output channels at once, all
 * in registers: for every tap and input channel, each pixel's input value times one contiguous row
 * of weights. One pixel alone would be one chain of dependent additions per vector of channels,
 * which runs at the adder's latency, not its throughput; a layer with few input channels is
 * nothing but such chains. Every output still sums the same products in the same order as the
 * reference kernel (kernels/reference/), taps then input channels, then the bias, skipping the
 * taps outside the input as it does, so the results are identical.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_FLOAT_PACKED_H
#define RUNE_KERNELS_OPTIMIZED_FLOAT_PACKED_H

#include "kernels/common.h"
#include "kernels/optimized/float_vector.h"

/*
 * A convolution tile is PIXELS output pixels x VECTORS vectors of output channels, all
 * accumulators: 8 vectors, enough independent additions to hide the adder's latency in half the
 * registers, with AVX (8 lanes; 16 registers) or SSE2, NEON, wasm SIMD (4 lanes; 16 or 32).
 * Without vector registers (Cortex-M's scalar FPU, wasm without SIMD), where every channel is an
 * independent chain anyway, what counts is loads: 8 pixels x 4 channels, so that each weight
 * loaded serves 8 pixels. That is more accumulators than registers, yet measured on gesture it
 * ran a fifth fewer instructions on the Cortex-M7 than 2 x 4, and a quarter faster on the AOT engine.
 */
#if defined(RUNE_FLOAT_TILE_PIXELS)
/* chosen by a test (kernels/tests/float_tiles_*_test.c), with RUNE_FLOAT_TILE_VECTORS */
#elif defined(__AVX__)
#define RUNE_FLOAT_TILE_PIXELS 8
#define RUNE_FLOAT_TILE_VECTORS 1
#elif defined(__SSE2__) || defined(__ARM_NEON) || defined(__wasm_simd128__)
#define RUNE_FLOAT_TILE_PIXELS 4
#define RUNE_FLOAT_TILE_VECTORS 2
#else
#define RUNE_FLOAT_TILE_PIXELS 8
#define RUNE_FLOAT_TILE_VECTORS 1
#endif

/* For the helpers inlined with constant counts, so that loops over them unroll into registers. */
#define RUNE_FLOAT_ALWAYS_INLINE __attribute__((always_inline)) inline

/* out[i] += x * w[i]; out is never one of the inputs. */
static inline void rune_axpy_f32(float *restrict out, float x, const float *restrict w, int32_t count) {
    for (int32_t i = 0; i < count; i++) out[i] += x * w[i];
}

/* out[i] = clamp(out[i] (+ bias[i])), adding the bias last as the reference does. */
static inline void rune_finish_f32(float *restrict out, const float *restrict bias, int32_t count, float lo, float hi) {
    if (bias) {
        for (int32_t i = 0; i < count; i++) out[i] = rune_clamp_f32(out[i] + bias[i], lo, hi);
    } else {
        for (int32_t i = 0; i < count; i++) out[i] = rune_clamp_f32(out[i], lo, hi);
    }
}

static inline void rune_zero_f32(float *restrict out, int32_t count) {
    for (int32_t i = 0; i < count; i++) out[i] = 0.0f;
}

/*
 * Output pixels that share a window: the taps [fy0, fy1) x [fx0, fx1) inside the input, and where
 * each pixel's window (tap 0, 0) would start, as an offset into the input that is negative when
 * the window hangs over the top or left edge (only the taps inside are ever read).
 *
 * A filter row's taps are read in runs of `run` contiguous input values, `run_taps` taps each:
 * the whole row at once when the filter is not dilated across (its taps' pixels, and their
 * packed weights, are adjacent), else one tap's channels at a time. The sums keep their order.
 */
typedef struct rune_conv_f32_tile {
    int32_t fy0, fy1, fx0, fx1;
    int32_t run, run_taps;
    int32_t origins[RUNE_FLOAT_TILE_PIXELS];
    float *outputs[RUNE_FLOAT_TILE_PIXELS];
} rune_conv_f32_tile;

/*
 * `pixels` x `vectors` x RUNE_FLOAT_LANES outputs (channels c0 on) of one tile. Both counts are constants where
 * this is inlined, so the loops over them unroll and the accumulators stay in registers. Written
 * with explicit vectors: left to itself, the vectorizer packs the tile's pixels into a vector
 * rather than its channels, and spends its time shuffling.
 */
static RUNE_FLOAT_ALWAYS_INLINE void rune_conv_2d_f32_block(const rune_conv_params *p, const float *input,
                                                            const float *packed, const float *bias,
                                                            const rune_conv_f32_tile *t, int32_t c0,
                                                            const int32_t pixels, const int32_t vectors) {
    const int32_t depth = p->input_depth, stride = p->output_depth;
    rune_f32v acc[RUNE_FLOAT_TILE_PIXELS][RUNE_FLOAT_TILE_VECTORS];
    for (int32_t m = 0; m < pixels; m++)
        for (int32_t v = 0; v < vectors; v++) acc[m][v] = rune_splat_f32v(0.0f);
    for (int32_t fy = t->fy0; fy < t->fy1; fy++) {
        for (int32_t fx = t->fx0; fx < t->fx1; fx += t->run_taps) {
            const int32_t tap = (p->dilation_height * fy * p->input_width + p->dilation_width * fx) * depth;
            const float *w = packed + (fy * p->filter_width + fx) * depth * stride + c0;
            /* Each pixel's run of inputs: pointers, so the loop below indexes them without sign extensions. */
            const float *in[RUNE_FLOAT_TILE_PIXELS];
            for (int32_t m = 0; m < pixels; m++) in[m] = input + (t->origins[m] + tap);
            for (int32_t i = 0; i < t->run; i++, w += stride) {
                rune_f32v weights[RUNE_FLOAT_TILE_VECTORS];
                for (int32_t v = 0; v < vectors; v++) weights[v] = rune_load_f32v(w + RUNE_FLOAT_LANES * v);
                for (int32_t m = 0; m < pixels; m++) {
                    const rune_f32v xs = rune_splat_f32v(in[m][i]);
                    for (int32_t v = 0; v < vectors; v++) acc[m][v] += xs * weights[v];
                }
            }
        }
    }
    const rune_f32v lo = rune_splat_f32v(p->float_min), hi = rune_splat_f32v(p->float_max);
    for (int32_t v = 0; v < vectors; v++) {
        const int32_t c = c0 + RUNE_FLOAT_LANES * v;
        const rune_f32v b = bias ? rune_load_f32v(bias + c) : rune_splat_f32v(0.0f);
        for (int32_t m = 0; m < pixels; m++) {
            /* Without a bias the sum is stored as it is: adding 0 would turn -0 into +0. */
            const rune_f32v total = bias ? acc[m][v] + b : acc[m][v];
            rune_store_f32v(t->outputs[m] + c, rune_clamp_f32v(total, lo, hi));
        }
    }
}

/* One output channel, c, of one tile: the last few channels, after the vectors. */
static RUNE_FLOAT_ALWAYS_INLINE void rune_conv_2d_f32_channel(const rune_conv_params *p, const float *input,
                                                              const float *packed, const float *bias,
                                                              const rune_conv_f32_tile *t, int32_t c,
                                                              const int32_t pixels) {
    const int32_t depth = p->input_depth, stride = p->output_depth;
    float acc[RUNE_FLOAT_TILE_PIXELS];
    for (int32_t m = 0; m < pixels; m++) acc[m] = 0.0f;
    for (int32_t fy = t->fy0; fy < t->fy1; fy++) {
        for (int32_t fx = t->fx0; fx < t->fx1; fx += t->run_taps) {
            const int32_t tap = (p->dilation_height * fy * p->input_width + p->dilation_width * fx) * depth;
            const float *w = packed + (fy * p->filter_width + fx) * depth * stride + c;
            for (int32_t i = 0; i < t->run; i++, w += stride) {
                for (int32_t m = 0; m < pixels; m++) acc[m] += input[t->origins[m] + tap + i] * *w;
            }
        }
    }
    for (int32_t m = 0; m < pixels; m++) {
        const float total = bias ? acc[m] + bias[c] : acc[m];
        t->outputs[m][c] = rune_clamp_f32(total, p->float_min, p->float_max);
    }
}

/* Every output channel of one tile of `pixels` (a constant where inlined): full blocks, then
 * blocks of one vector, then one channel at a time. */
static RUNE_FLOAT_ALWAYS_INLINE void rune_conv_2d_f32_tile_all(const rune_conv_params *p, const float *input,
                                                               const float *packed, const float *bias,
                                                               const rune_conv_f32_tile *t, const int32_t pixels) {
    const int32_t channels = p->output_depth;
    int32_t c0 = 0;
    const int32_t block = RUNE_FLOAT_TILE_VECTORS * RUNE_FLOAT_LANES;
    for (; c0 + block <= channels; c0 += block)
        rune_conv_2d_f32_block(p, input, packed, bias, t, c0, pixels, RUNE_FLOAT_TILE_VECTORS);
    if (RUNE_FLOAT_TILE_VECTORS > 1) {
        for (; c0 + RUNE_FLOAT_LANES <= channels; c0 += RUNE_FLOAT_LANES)
            rune_conv_2d_f32_block(p, input, packed, bias, t, c0, pixels, 1);
    }
    for (; c0 < channels; c0++) rune_conv_2d_f32_channel(p, input, packed, bias, t, c0, pixels);
}

/* The outputs [*first, *last) along one axis whose windows lie wholly inside the input. */
static inline void rune_conv_full_windows(int32_t outputs, int32_t stride, int32_t pad, int32_t dilation,
                                          int32_t taps, int32_t size, int32_t *first, int32_t *last) {
    int32_t lo = 0, hi = outputs;
    while (lo < hi && lo * stride - pad < 0) lo++;
    while (hi > lo && (hi - 1) * stride - pad + dilation * (taps - 1) >= size) hi--;
    *first = lo;
    *last = hi;
}

/*
 * rune_conv_2d_f32 with `packed` = filter as [filter_height][filter_width][input_depth][output_depth].
 *
 * Tiles run along the longer output axis (a column for a tall, narrow input such as a time series
 * of a few sensors), so that their pixels share the window across the other axis and, away from
 * the edges, the whole window along this one. A pixel whose window is clipped along the tile's
 * axis is a tile of its own.
 */
static void rune_conv_2d_f32_packed(const rune_conv_params *p, const float *input, const float *packed,
                                    const float *bias, float *output) {
    const int32_t depth = p->input_depth, channels = p->output_depth;
    const int along_y = p->output_height > p->output_width;
    /* The tile for the pixels left over at the end of a line's whole tiles, when more than one. */
    const int32_t half = RUNE_FLOAT_TILE_PIXELS / 2 > 1 ? RUNE_FLOAT_TILE_PIXELS / 2 : 1;
    const int32_t length = along_y ? p->output_height : p->output_width;
    const int32_t lines = along_y ? p->output_width : p->output_height;
    int32_t full0, full1;
    if (along_y) {
        rune_conv_full_windows(p->output_height, p->stride_height, p->pad_height, p->dilation_height,
                               p->filter_height, p->input_height, &full0, &full1);
    } else {
        rune_conv_full_windows(p->output_width, p->stride_width, p->pad_width, p->dilation_width,
                               p->filter_width, p->input_width, &full0, &full1);
    }
    for (int32_t b = 0; b < p->batches; b++) {
        const float *in = input + b * p->input_height * p->input_width * depth;
        float *out = output + b * p->output_height * p->output_width * channels;
        for (int32_t line = 0; line < lines; line++) {
            /* The window across the tile's axis, the same for the whole line. */
            int32_t across0, across1;
            if (along_y) {
                rune_window(line * p->stride_width - p->pad_width, p->dilation_width, p->filter_width, p->input_width,
                            &across0, &across1);
            } else {
                rune_window(line * p->stride_height - p->pad_height, p->dilation_height, p->filter_height,
                            p->input_height, &across0, &across1);
            }
            for (int32_t at = 0; at < length;) {
                /* A whole tile where it fits, else half a tile, else one pixel. */
                const int32_t fits = at >= full0 ? full1 - at : 0;
                const int32_t pixels = fits >= RUNE_FLOAT_TILE_PIXELS ? RUNE_FLOAT_TILE_PIXELS : fits >= half ? half : 1;
                rune_conv_f32_tile t;
                for (int32_t m = 0; m < pixels; m++) {
                    const int32_t oy = along_y ? at + m : line, ox = along_y ? line : at + m;
                    const int32_t iy0 = oy * p->stride_height - p->pad_height;
                    const int32_t ix0 = ox * p->stride_width - p->pad_width;
                    t.origins[m] = (iy0 * p->input_width + ix0) * depth;
                    t.outputs[m] = out + (oy * p->output_width + ox) * channels;
                }
                /* The window along the axis: whole inside a tile, the pixel's own for a single one. */
                int32_t along0, along1;
                if (along_y) {
                    rune_window(at * p->stride_height - p->pad_height, p->dilation_height, p->filter_height,
                                p->input_height, &along0, &along1);
                } else {
                    rune_window(at * p->stride_width - p->pad_width, p->dilation_width, p->filter_width,
                                p->input_width, &along0, &along1);
                }
                t.fy0 = along_y ? along0 : across0;
                t.fy1 = along_y ? along1 : across1;
                t.fx0 = along_y ? across0 : along0;
                t.fx1 = along_y ? across1 : along1;
                const int contiguous = p->dilation_width == 1;
                t.run_taps = contiguous ? (t.fx1 > t.fx0 ? t.fx1 - t.fx0 : 1) : 1;
                t.run = contiguous ? (t.fx1 - t.fx0) * depth : depth;
                if (pixels == RUNE_FLOAT_TILE_PIXELS) {
                    rune_conv_2d_f32_tile_all(p, in, packed, bias, &t, RUNE_FLOAT_TILE_PIXELS);
                } else if (half > 1 && pixels == half) {
                    rune_conv_2d_f32_tile_all(p, in, packed, bias, &t, half);
                } else {
                    rune_conv_2d_f32_tile_all(p, in, packed, bias, &t, 1);
                }
                at += pixels;
            }
        }
    }
}

/* rune_fully_connected_f32 with `packed` = weights as [input_depth][output_depth]. */
static void rune_fully_connected_f32_packed(const rune_fully_connected_params *p, const float *input,
                                            const float *packed, const float *bias, float *output) {
    for (int32_t b = 0; b < p->batches; b++) {
        const float *in = input + b * p->input_depth;
        float *out = output + b * p->output_depth;
        rune_zero_f32(out, p->output_depth);
        for (int32_t d = 0; d < p->input_depth; d++) rune_axpy_f32(out, in[d], packed + d * p->output_depth, p->output_depth);
        rune_finish_f32(out, bias, p->output_depth, p->float_min, p->float_max);
    }
}

/* rune_depthwise_conv_2d_f32, with the channels of a pixel accumulated together. */
static void rune_depthwise_conv_2d_f32_optimized(const rune_conv_params *p, const float *input, const float *filter,
                                                 const float *bias, float *output) {
    const int32_t channels = p->output_depth, multiplier = p->depth_multiplier;
    for (int32_t b = 0; b < p->batches; b++) {
        for (int32_t oy = 0; oy < p->output_height; oy++) {
            const int32_t iy0 = oy * p->stride_height - p->pad_height;
            int32_t fy0, fy1;
            rune_window(iy0, p->dilation_height, p->filter_height, p->input_height, &fy0, &fy1);
            for (int32_t ox = 0; ox < p->output_width; ox++) {
                const int32_t ix0 = ox * p->stride_width - p->pad_width;
                int32_t fx0, fx1;
                rune_window(ix0, p->dilation_width, p->filter_width, p->input_width, &fx0, &fx1);
                float *restrict out = output + ((b * p->output_height + oy) * p->output_width + ox) * channels;
                rune_zero_f32(out, channels);
                for (int32_t fy = fy0; fy < fy1; fy++) {
                    const int32_t iy = iy0 + p->dilation_height * fy;
                    for (int32_t fx = fx0; fx < fx1; fx++) {
                        const int32_t ix = ix0 + p->dilation_width * fx;
                        const float *restrict in = input + ((b * p->input_height + iy) * p->input_width + ix) * p->input_depth;
                        const float *restrict w = filter + (fy * p->filter_width + fx) * channels;
                        if (multiplier == 1) {
                            for (int32_t c = 0; c < channels; c++) out[c] += in[c] * w[c];
                        } else {
                            for (int32_t ic = 0; ic < p->input_depth; ic++) {
                                rune_axpy_f32(out + ic * multiplier, in[ic], w + ic * multiplier, multiplier);
                            }
                        }
                    }
                }
                rune_finish_f32(out, bias, channels, p->float_min, p->float_max);
            }
        }
    }
}

#endif /* RUNE_KERNELS_OPTIMIZED_FLOAT_PACKED_H */
