/*
 * optimized/depthwise_vector.h - int8 and uint8 DEPTHWISE_CONV_2D for targets with a vector unit
 * (RUNE_KERNELS_VECTOR: x86, and wasm, which the AOT engine vectorizes for the host: there it
 * took person_detection from 2.25 to 1.89 ms), byte for byte the same as
 * rune_depthwise_conv_2d_s8_reference and rune_depthwise_conv_2d_u8_reference.
 *
 * Channels go 16 at a time, and for each such row every output pixel: the row's weights (plus
 * the filter offset, as int16) and its requantization scales (rune_scale_row) are worked out once
 * for all pixels, so what is left per pixel is one multiply-add of 16 lanes per tap and one
 * vectorized requantization, where the portable kernels requantize channel by channel through
 * rune_requantize. Depth multiplier 1 reads 16 contiguous input channels per tap; an input of
 * one channel (a first layer that makes several of one) broadcasts it to all lanes. Other
 * multipliers, and filters of more than RUNE_DEPTHWISE_VECTOR_TAPS taps, take the portable
 * kernels.
 *
 * A 3x3 filter without dilation (every MobileNet's) has a path of its own for the pixels whose
 * window is wholly inside the input: nine constant taps at addresses computed from the pixel,
 * with the input offset's share, io sum(w), in the bias, where the general loop gathers a run-time
 * count of tap pointers first (person_detection_uint8 with -march=native: 413 to 297 us, its
 * int8 twin 403 to 269 us). The pixels at the edges keep the general loop.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_DEPTHWISE_VECTOR_H
#define RUNE_KERNELS_OPTIMIZED_DEPTHWISE_VECTOR_H

#include "kernels/common.h"

/* Filters up to 5x5: the row's int16 weights stay within 1.6 KB of stack. */
#define RUNE_DEPTHWISE_VECTOR_TAPS 25

/* Whether the vector kernel takes this convolution. */
static inline int rune_depthwise_vector_fits(const rune_conv_params *p) {
    return (p->depth_multiplier == 1 || p->input_depth == 1) &&
           p->filter_height * p->filter_width <= RUNE_DEPTHWISE_VECTOR_TAPS;
}


/*
 * acc[v] += w[v] (x[v] + io) over a window's `taps` (input, weights) pairs, for `lanes` channels:
 * a constant at each call (16 or 8, or the row's width), so the fixed widths are whole vectors.
 * `broadcast`: every lane reads the tap's one input channel. The sums live in a local array
 * the compiler keeps in registers; added to `acc` in place, they would make a load and a store
 * per tap (acc's address is taken, so it could alias the inputs).
 */
static inline __attribute__((always_inline)) void rune_depthwise_vector_taps(
    const uint8_t *const *tap_input, const int16_t *const *tap_weights, int32_t taps, int32_t lanes,
    int input_signed, int32_t io, int broadcast, int32_t *restrict acc) {
    int32_t sums[RUNE_SCALE_ROW];
    for (int32_t v = 0; v < lanes; v++) sums[v] = acc[v];
    if (broadcast) {
        for (int32_t t = 0; t < taps; t++) {
            const int16_t *w = tap_weights[t];
            const int16_t x = (int16_t)(rune_quantized_byte(tap_input[t][0], input_signed) + io);
            for (int32_t v = 0; v < lanes; v++) sums[v] += (int32_t)w[v] * x;
        }
    } else {
        for (int32_t t = 0; t < taps; t++) {
            const int16_t *w = tap_weights[t];
            const uint8_t *in = tap_input[t];
            for (int32_t v = 0; v < lanes; v++) {
                sums[v] += (int32_t)w[v] * (int16_t)(rune_quantized_byte(in[v], input_signed) + io);
            }
        }
    }
    for (int32_t v = 0; v < lanes; v++) acc[v] = sums[v];
}

/*
 * acc[v] += w[t][v] x[v] over the nine taps of a 3x3 window wholly inside the input (no
 * dilation), its top-left tap at `in`: rows `row_stride` bytes apart, columns `column_stride`;
 * with `broadcast`, x[0] for every lane. Without the input offset: for such a window it is the same sum for every
 * pixel, io sum(w), which the caller adds to the bias once per row of channels. Constant taps
 * and addresses, where the general loop reads a run-time count of tap pointers.
 */
static inline __attribute__((always_inline)) void rune_depthwise_vector_3x3(
    const uint8_t *in, int32_t row_stride, int32_t column_stride, const int16_t (*w)[RUNE_SCALE_ROW], int32_t lanes,
    int input_signed, int broadcast, int32_t *restrict acc) {
    int32_t sums[RUNE_SCALE_ROW];
    for (int32_t v = 0; v < lanes; v++) sums[v] = acc[v];
    for (int32_t ky = 0; ky < 3; ky++) {
        for (int32_t kx = 0; kx < 3; kx++) {
            const uint8_t *x = in + ky * row_stride + kx * column_stride;
            const int16_t *wt = w[ky * 3 + kx];
            for (int32_t v = 0; v < lanes; v++) {
                sums[v] += (int32_t)wt[v] * (int16_t)rune_quantized_byte(x[broadcast ? 0 : v], input_signed);
            }
        }
    }
    for (int32_t v = 0; v < lanes; v++) acc[v] = sums[v];
}

/*
 * The whole convolution for either type (`input_signed` is a constant at each call). A value
 * plus its offset is within [-255, 255] and so is a weight plus its, so the products are of
 * int16 factors, which the compiler multiplies with PMADDWD (even on SSE2).
 */
static inline __attribute__((always_inline)) void rune_depthwise_conv_2d_vector(const rune_conv_params *p,
                                                                                const uint8_t *input,
                                                                                const uint8_t *filter,
                                                                                const int32_t *bias, uint8_t *output,
                                                                                int input_signed) {
    const int32_t depth = p->output_depth, taps = p->filter_height * p->filter_width;
    const int32_t io = p->input_offset, fo = p->filter_offset;
    const int broadcast = p->input_depth == 1 && depth > 1;
    /* MobileNet's filter: its pixels with the window inside take rune_depthwise_vector_3x3. */
    const int fast_3x3 = p->filter_height == 3 && p->filter_width == 3 && p->dilation_height == 1 &&
                         p->dilation_width == 1;
    const int32_t row_stride = p->input_width * p->input_depth;
    for (int32_t c0 = 0; c0 < depth; c0 += RUNE_SCALE_ROW) {
        const int32_t lanes = rune_min_i32(RUNE_SCALE_ROW, depth - c0);
        int16_t w[RUNE_DEPTHWISE_VECTOR_TAPS][RUNE_SCALE_ROW];
        for (int32_t t = 0; t < taps; t++) {
            for (int32_t v = 0; v < lanes; v++) {
                w[t][v] = (int16_t)(rune_quantized_byte(filter[t * depth + c0 + v], input_signed) + fo);
            }
        }
        int32_t base[RUNE_SCALE_ROW];
        for (int32_t v = 0; v < RUNE_SCALE_ROW; v++) base[v] = bias && v < lanes ? bias[c0 + v] : 0;
        /* The bias of a pixel whose 3x3 window is all inside: plus io sum(w) (rune_depthwise_vector_3x3). */
        int32_t inside_base[RUNE_SCALE_ROW];
        for (int32_t v = 0; v < RUNE_SCALE_ROW; v++) {
            int32_t weight_sum = 0;
            for (int32_t t = 0; t < taps && v < lanes; t++) weight_sum += w[t][v];
            inside_base[v] = base[v] + io * weight_sum;
        }
        rune_scale_row scales;
        rune_scale_row_make(&scales, p->multipliers, p->shifts, p->per_channel, c0, lanes, p->output_offset,
                            p->activation_min, p->activation_max);
        const uint8_t *channel_input = input + (broadcast ? 0 : c0);
        for (int32_t b = 0; b < p->batches; b++) {
            const uint8_t *batch_input = channel_input + b * p->input_height * p->input_width * p->input_depth;
            for (int32_t oy = 0; oy < p->output_height; oy++) {
                const int32_t iy0 = oy * p->stride_height - p->pad_height;
                int32_t fy0, fy1;
                rune_window(iy0, p->dilation_height, p->filter_height, p->input_height, &fy0, &fy1);
                uint8_t *out_row = output + ((b * p->output_height + oy) * p->output_width) * depth + c0;
                /* The pixels [inside_first, inside_end) of this row whose 3x3 window is inside. */
                int32_t inside_first = 0, inside_end = 0;
                if (fast_3x3 && iy0 >= 0 && iy0 + 3 <= p->input_height) {
                    inside_first = rune_min_i32((p->pad_width + p->stride_width - 1) / p->stride_width, p->output_width);
                    const int32_t last_origin = p->input_width - 3 + p->pad_width;
                    inside_end = last_origin >= 0 ? rune_min_i32(last_origin / p->stride_width + 1, p->output_width) : 0;
                    inside_end = rune_max_i32(inside_end, inside_first);
                }
                /* Whole rows of 16 go two pixels at a time: the second pixel's taps reuse the
                 * weight vectors the first one loaded (person_detection -march=native: 3% less). */
                int32_t ox_pair = inside_first;
                if (!broadcast && lanes == 16) {
                    const int32_t step = p->stride_width * depth;
                    for (; ox_pair + 1 < inside_end; ox_pair += 2) {
                        const uint8_t *window =
                            batch_input + (iy0 * p->input_width + ox_pair * p->stride_width - p->pad_width) * depth;
                        int32_t acc0[RUNE_SCALE_ROW], acc1[RUNE_SCALE_ROW];
                        for (int32_t v = 0; v < RUNE_SCALE_ROW; v++) acc0[v] = acc1[v] = inside_base[v];
                        rune_depthwise_vector_3x3(window, row_stride, depth, w, 16, input_signed, 0, acc0);
                        rune_depthwise_vector_3x3(window + step, row_stride, depth, w, 16, input_signed, 0, acc1);
                        rune_scale_row_apply(&scales, acc0, out_row + ox_pair * depth, 16);
                        rune_scale_row_apply(&scales, acc1, out_row + (ox_pair + 1) * depth, 16);
                    }
                }
                for (int32_t ox = ox_pair; ox < inside_end; ox++) {
                    const uint8_t *window =
                        batch_input + (iy0 * p->input_width + ox * p->stride_width - p->pad_width) * p->input_depth;
                    int32_t acc[RUNE_SCALE_ROW];
                    for (int32_t v = 0; v < RUNE_SCALE_ROW; v++) acc[v] = inside_base[v];
                    if (broadcast && lanes == 8) {
                        rune_depthwise_vector_3x3(window, row_stride, 1, w, 8, input_signed, 1, acc);
                    } else if (broadcast) {
                        rune_depthwise_vector_3x3(window, row_stride, 1, w, lanes, input_signed, 1, acc);
                    } else if (lanes == 16) {
                        rune_depthwise_vector_3x3(window, row_stride, depth, w, 16, input_signed, 0, acc);
                    } else if (lanes == 8) {
                        rune_depthwise_vector_3x3(window, row_stride, depth, w, 8, input_signed, 0, acc);
                    } else {
                        rune_depthwise_vector_3x3(window, row_stride, depth, w, lanes, input_signed, 0, acc);
                    }
                    rune_scale_row_store(&scales, acc, out_row + ox * depth);
                }
                for (int32_t ox = 0; ox < p->output_width; ox++) {
                    if (ox == inside_first && inside_end > inside_first) ox = inside_end;
                    if (ox >= p->output_width) break;
                    const int32_t ix0 = ox * p->stride_width - p->pad_width;
                    int32_t fx0, fx1;
                    rune_window(ix0, p->dilation_width, p->filter_width, p->input_width, &fx0, &fx1);
                    /* The taps inside the input: their input and weight rows. */
                    const uint8_t *tap_input[RUNE_DEPTHWISE_VECTOR_TAPS];
                    const int16_t *tap_weights[RUNE_DEPTHWISE_VECTOR_TAPS];
                    int32_t taps_inside = 0;
                    for (int32_t fy = fy0; fy < fy1; fy++) {
                        const uint8_t *row = batch_input + (iy0 + p->dilation_height * fy) * p->input_width * p->input_depth;
                        for (int32_t fx = fx0; fx < fx1; fx++) {
                            tap_input[taps_inside] = row + (ix0 + p->dilation_width * fx) * p->input_depth;
                            tap_weights[taps_inside] = w[fy * p->filter_width + fx];
                            taps_inside++;
                        }
                    }
                    int32_t acc[RUNE_SCALE_ROW];
                    for (int32_t v = 0; v < RUNE_SCALE_ROW; v++) acc[v] = base[v];
                    if (lanes == 16) {
                        rune_depthwise_vector_taps(tap_input, tap_weights, taps_inside, 16, input_signed, io, broadcast, acc);
                    } else if (lanes == 8) {
                        rune_depthwise_vector_taps(tap_input, tap_weights, taps_inside, 8, input_signed, io, broadcast, acc);
                    } else {
                        rune_depthwise_vector_taps(tap_input, tap_weights, taps_inside, lanes, input_signed, io, broadcast, acc);
                    }
                    rune_scale_row_store(&scales, acc, out_row + ox * depth);
                }
            }
        }
    }
}

static void rune_depthwise_conv_2d_s8_vector(const rune_conv_params *p, const int8_t *input, const int8_t *filter,
                                             const int32_t *bias, int8_t *output) {
    rune_depthwise_conv_2d_vector(p, (const uint8_t *)input, (const uint8_t *)filter, bias, (uint8_t *)output, 1);
}

static void rune_depthwise_conv_2d_u8_vector(const rune_conv_params *p, const uint8_t *input, const uint8_t *filter,
                                             const int32_t *bias, uint8_t *output) {
    rune_depthwise_conv_2d_vector(p, input, filter, bias, output, 0);
}

#endif /* RUNE_KERNELS_OPTIMIZED_DEPTHWISE_VECTOR_H */
