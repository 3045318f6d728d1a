/*
 * optimized/pointwise_packed.h - int8 and uint8 CONV_2D with a 1x1 filter (the pointwise
 * convolutions that are most of a MobileNet's work) as a matrix product, on weights runec packs
 * at compile time. Byte for byte the same as rune_conv_2d_s8_reference and
 * rune_conv_2d_u8_reference: integer sums, reordered.
 *
 * A 1x1 convolution is (pixels x input depth) times (input depth x output depth). The kernel
 * keeps a block of 4 pixels x 16 output channels of int32 sums in registers and, for each input
 * channel, adds one input byte per pixel times a contiguous row of 16 weights, so each weight
 * load serves 4 pixels and each input byte 16 channels. The row runs over output channels, not
 * over the sum, so the compiler vectorizes it without horizontal adds at the end: on x86 it
 * becomes a broadcast and a PMADDWD (VPDPWSSD with AVX-512 VNNI) per pixel, without spills.
 * Each 32-bit lane holds one product (the other 16-bit half is zero), half of what the
 * instruction could do with pairs of input channels; clang does not form that from plain C,
 * which is what the kernel is, so that it stays one source for every target; where the compiler
 * targets AVX-512 VNNI (or AVX2), pointwise_packed_x86.h does four (two) per lane with
 * intrinsics, on the same layout. The packed layout makes the rows contiguous:
 *
 *   output channels in blocks of RUNE_PACKED_CHANNELS, each block [input depth][16] (the last
 *   block, if the depth is not a multiple of 16, [input depth][the rest]).
 *
 * Offsets are folded so the inner loop multiplies raw bytes. With w the stored weight, x the
 * input byte, io the input offset and F the packed filter offset (below), a sum over the input
 * depth K is
 *
 *   sum((w + F)(x + io)) = sum(w x) + io sum(w) + K F io + F sum(x),
 *
 * where io sum(w) + K F io depends only on the output channel, so runec computes it at compile
 * time (`offset_sums`), and F sum(x) only on the pixel, computed once for all its channels.
 * int8 weights are symmetric (F = 0). uint8 weights are stored as w - 128 (their bytes xor
 * 0x80), which fits int8, so F = filter offset + 128.
 *
 * Inputs are read as values in [0, 255]: an int8 input as x + 128 (its byte xor 0x80), with
 * io - 128 for io in the offset sums. With both factors unsigned-or-int8, the compiler knows
 * each product fits 16-bit operands and multiplies with PMADDWD even on SSE2; with a signed
 * int8 input it falls back to emulated 32-bit multiplies there.
 *
 * runec emits this layout only where RUNE_KERNELS_POINTWISE_PACKED is defined (below), where
 * the C compiler itself targets a vector unit. The others keep the model's layout and their
 * kernels: the Cortex-M builds (the DSP paths; plain loops have no vector unit to fill and would
 * spill 64 sums), reference-only builds, and scalar wasm32. There clang leaves the 4 x 16 sums
 * in linear memory, and the AOT engine, vectorizing the wasm again for the host, did not recover
 * from that: person_detection ran 1.8x slower than on the dot-product kernel (optimized/conv_2d.h).
 */
#ifndef RUNE_KERNELS_OPTIMIZED_POINTWISE_PACKED_H
#define RUNE_KERNELS_OPTIMIZED_POINTWISE_PACKED_H

#include "kernels/common.h"

#if defined(RUNE_KERNELS_VECTOR) && (defined(__SSE2__) || defined(__ARM_NEON) || defined(__wasm_simd128__)) && \
    !defined(RUNE_KERNELS_REFERENCE_ONLY) && !defined(RUNE_KERNELS_DSP)
#define RUNE_KERNELS_POINTWISE_PACKED 1
#endif

/* Output channels per block of packed weights: 16 int32 sums are one AVX-512 register, two AVX2;
 * one row of requantization scales. */
#define RUNE_PACKED_CHANNELS RUNE_SCALE_ROW
/* Pixels per block: 4 x 16 sums fit the registers of SSE2 to AVX-512 with room for the operands. */
#define RUNE_PACKED_PIXELS 4

/* One input byte as a value in [0, 255]: a uint8 input as it is, an int8 one plus 128 (`flip` 0x80). */
static inline int16_t rune_packed_input(const uint8_t *x, int32_t k, uint8_t flip) {
    return (int16_t)(uint8_t)(x[k] ^ flip);
}

/*
 * sums[p][v] = sum over k of w[k][v] x_p[k] for a full block of 16 channels. Four separate
 * arrays rather than one [4][16]: with one, the compiler may vectorize across the pixels
 * (gathering weights) instead of across the channels.
 */
static inline __attribute__((always_inline)) void rune_packed_block_16(const uint8_t *const x[RUNE_PACKED_PIXELS],
                                                                       const int8_t *w, int32_t depth, uint8_t flip,
                                                                       int32_t sums[RUNE_PACKED_PIXELS][RUNE_PACKED_CHANNELS]) {
    int32_t s0[RUNE_PACKED_CHANNELS] = {0}, s1[RUNE_PACKED_CHANNELS] = {0};
    int32_t s2[RUNE_PACKED_CHANNELS] = {0}, s3[RUNE_PACKED_CHANNELS] = {0};
    const uint8_t *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3];
    for (int32_t k = 0; k < depth; k++, w += RUNE_PACKED_CHANNELS) {
        const int16_t a0 = rune_packed_input(x0, k, flip), a1 = rune_packed_input(x1, k, flip);
        const int16_t a2 = rune_packed_input(x2, k, flip), a3 = rune_packed_input(x3, k, flip);
        for (int32_t v = 0; v < RUNE_PACKED_CHANNELS; v++) {
            const int16_t wv = w[v];
            s0[v] += wv * a0;
            s1[v] += wv * a1;
            s2[v] += wv * a2;
            s3[v] += wv * a3;
        }
    }
    for (int32_t v = 0; v < RUNE_PACKED_CHANNELS; v++) {
        sums[0][v] = s0[v];
        sums[1][v] = s1[v];
        sums[2][v] = s2[v];
        sums[3][v] = s3[v];
    }
}

#ifdef RUNE_KERNELS_POINTWISE_PACKED
/* The same block with four (VNNI) or two (AVX2) products per lane, where the compiler targets x86 with them. */
#include "kernels/optimized/pointwise_packed_x86.h"
#endif

/* The same for the last block's `width` (< 16) channels, whose rows are `width` weights long. */
static inline void rune_packed_block_rest(const uint8_t *const x[RUNE_PACKED_PIXELS], const int8_t *w, int32_t depth,
                                          int32_t width, uint8_t flip,
                                          int32_t sums[RUNE_PACKED_PIXELS][RUNE_PACKED_CHANNELS]) {
    for (int32_t p = 0; p < RUNE_PACKED_PIXELS; p++) {
        for (int32_t v = 0; v < RUNE_PACKED_CHANNELS; v++) sums[p][v] = 0;
    }
    for (int32_t k = 0; k < depth; k++, w += width) {
        for (int32_t p = 0; p < RUNE_PACKED_PIXELS; p++) {
            const int32_t a = rune_packed_input(x[p], k, flip);
            for (int32_t v = 0; v < width; v++) sums[p][v] += w[v] * a;
        }
    }
}

/*
 * The whole convolution, for either input type: `flip` and `packed_filter_offset` are constants
 * at each call, so each caller gets its own copy with them folded. The output byte is the requantized
 * value's low byte, the same for int8 and uint8 since the clamp keeps it in the type's range.
 */
static inline __attribute__((always_inline)) void rune_conv_2d_pointwise_packed(const rune_conv_params *p,
                                                                                const uint8_t *input,
                                                                                const int8_t *packed,
                                                                                const int32_t *bias,
                                                                                uint8_t *output, uint8_t flip,
                                                                                int32_t packed_filter_offset) {
    const int32_t depth = p->input_depth, channels = p->output_depth;
    const int32_t pixels = p->batches * p->output_height * p->output_width;
    const int32_t *offset_sums = p->offset_sums;
    for (int32_t c0 = 0; c0 < channels; c0 += RUNE_PACKED_CHANNELS) {
        const int32_t width = rune_min_i32(RUNE_PACKED_CHANNELS, channels - c0);
        const int8_t *w = packed + c0 * depth;
        /* The per-channel part of every sum, the bias and the offsets' terms, and the scales. */
        int32_t base[RUNE_PACKED_CHANNELS];
        for (int32_t v = 0; v < RUNE_PACKED_CHANNELS; v++) {
            base[v] = v < width ? offset_sums[c0 + v] + (bias ? bias[c0 + v] : 0) : 0;
        }
        rune_scale_row scales;
        rune_scale_row_make(&scales, p->multipliers, p->shifts, p->per_channel, c0, width, p->output_offset,
                            p->activation_min, p->activation_max);
        for (int32_t m0 = 0; m0 < pixels; m0 += RUNE_PACKED_PIXELS) {
            const int32_t count = rune_min_i32(RUNE_PACKED_PIXELS, pixels - m0);
            /* A 1x1 filter reads the input pixel under the output pixel; a short last block repeats
             * its last pixel and stores only `count`. */
            const uint8_t *x[RUNE_PACKED_PIXELS];
            int32_t pixel_terms[RUNE_PACKED_PIXELS];
            for (int32_t i = 0; i < RUNE_PACKED_PIXELS; i++) {
                const int32_t m = m0 + rune_min_i32(i, count - 1);
                const int32_t ox = m % p->output_width, row = m / p->output_width;
                const int32_t oy = row % p->output_height, b = row / p->output_height;
                x[i] = input + ((b * p->input_height + oy * p->stride_height) * p->input_width + ox * p->stride_width) * depth;
                int32_t total = 0;
                if (packed_filter_offset != 0) {
                    for (int32_t k = 0; k < depth; k++) total += rune_packed_input(x[i], k, flip);
                }
                pixel_terms[i] = packed_filter_offset * total;
            }
            int32_t sums[RUNE_PACKED_PIXELS][RUNE_PACKED_CHANNELS];
            if (width == RUNE_PACKED_CHANNELS) {
#if defined(RUNE_KERNELS_POINTWISE_VNNI)
                rune_packed_block_16_vnni(x, w, depth, flip, sums);
#elif defined(RUNE_KERNELS_POINTWISE_AVX2)
                rune_packed_block_16_avx2(x, w, depth, flip, sums);
#else
                rune_packed_block_16(x, w, depth, flip, sums);
#endif
            } else {
                rune_packed_block_rest(x, w, depth, width, flip, sums);
            }
            for (int32_t i = 0; i < count; i++) {
                for (int32_t v = 0; v < RUNE_PACKED_CHANNELS; v++) sums[i][v] += base[v] + pixel_terms[i];
                rune_scale_row_store(&scales, sums[i], output + (m0 + i) * channels + c0);
            }
        }
    }
}

/* rune_conv_2d_s8 for a 1x1 filter, `packed` as above where RUNE_KERNELS_POINTWISE_PACKED is defined. */
static void rune_conv_2d_s8_packed(const rune_conv_params *p, const int8_t *input, const int8_t *packed,
                                   const int32_t *bias, int8_t *output) {
#ifdef RUNE_KERNELS_POINTWISE_PACKED
    rune_conv_2d_pointwise_packed(p, (const uint8_t *)input, packed, bias, (uint8_t *)output, 0x80, 0);
#else
    rune_conv_2d_s8(p, input, packed, bias, output);
#endif
}

/* rune_conv_2d_u8 for a 1x1 filter, `packed` as above (bytes of w - 128) where RUNE_KERNELS_POINTWISE_PACKED is defined. */
static void rune_conv_2d_u8_packed(const rune_conv_params *p, const uint8_t *input, const uint8_t *packed,
                                   const int32_t *bias, uint8_t *output) {
#ifdef RUNE_KERNELS_POINTWISE_PACKED
    rune_conv_2d_pointwise_packed(p, input, (const int8_t *)packed, bias, output, 0, p->filter_offset + 128);
#else
    rune_conv_2d_u8(p, input, packed, bias, output);
#endif
}

#endif /* RUNE_KERNELS_OPTIMIZED_POINTWISE_PACKED_H */
