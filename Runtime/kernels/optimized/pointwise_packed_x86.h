/*
 * optimized/pointwise_packed_x86.h - the full 4 pixel x 16 channel block of pointwise_packed.h
 * with the x86 instruction that sums four byte products per 32-bit lane, where the C compiler
 * targets it (AVX-512 VNNI, with VBMI for the byte permute), or else two int16 products per lane
 * where it targets AVX2. Every other target (SSE2 alone, wasm32, Cortex-M) keeps the portable block.
 *
 * Why intrinsics: the portable block multiplies one input channel at a time, so clang's
 * VPDPWSSD holds one product per lane where VPDPBUSD could hold four; clang does not regroup the
 * sum over input channels from plain C. VPDPBUSD's operands are exactly the kernel's: unsigned
 * input bytes (pointwise_packed.h reads them as values in [0, 255]) times int8 weights. It does
 * not saturate (unlike PMADDUBSW), so its sums are the portable kernel's, bit for bit.
 *
 * The weights stay in the one packed layout every target reads, [input depth][16] per block:
 * four consecutive rows are 64 bytes, one register, and one VPERMB regroups them so that each
 * channel's lane holds its four weights for input channels k to k + 3. That permute costs one
 * instruction per four multiply-adds (one per pixel), and spares runec a second layout of the
 * weights in the generated C. An input depth that is not a multiple of four ends with at most
 * three single rows, added as the portable kernel does; the loop never reads past the depth.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_POINTWISE_PACKED_X86_H
#define RUNE_KERNELS_OPTIMIZED_POINTWISE_PACKED_X86_H

#include "kernels/common.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VBMI__) && defined(__AVX512VNNI__)
#define RUNE_KERNELS_POINTWISE_VNNI 1
/* A compiler header (the intrinsics), not libc: fine in freestanding C. */
#include <immintrin.h>

/* VPERMB indices: byte 4v + j of the result, channel v's weight for input channel k + j, is
 * byte 16j + v of four [4][16] rows. */
static const uint8_t rune_packed_quad_order[64] __attribute__((aligned(64))) = {
    0,  16, 32, 48, 1,  17, 33, 49, 2,  18, 34, 50, 3,  19, 35, 51, 4,  20, 36, 52, 5,  21,
    37, 53, 6,  22, 38, 54, 7,  23, 39, 55, 8,  24, 40, 56, 9,  25, 41, 57, 10, 26, 42, 58,
    11, 27, 43, 59, 12, 28, 44, 60, 13, 29, 45, 61, 14, 30, 46, 62, 15, 31, 47, 63,
};

/* Four consecutive input bytes as [0, 255] values, one per byte of a 32-bit word, broadcast. */
static inline __m512i rune_packed_input_quad(const uint8_t *x, uint32_t flips) {
    uint32_t word;
    __builtin_memcpy(&word, x, sizeof word);
    return _mm512_set1_epi32((int32_t)(word ^ flips));
}

/* rune_packed_block_16 of pointwise_packed.h, the same sums. */
static inline __attribute__((always_inline)) void rune_packed_block_16_vnni(const uint8_t *const x[RUNE_PACKED_PIXELS],
                                                                            const int8_t *w, int32_t depth, uint8_t flip,
                                                                            int32_t sums[RUNE_PACKED_PIXELS][RUNE_PACKED_CHANNELS]) {
    const __m512i order = _mm512_load_si512((const void *)rune_packed_quad_order);
    const uint32_t flips = 0x01010101u * flip;
    const uint8_t *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3];
    __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512();
    __m512i s2 = _mm512_setzero_si512(), s3 = _mm512_setzero_si512();
    int32_t k = 0;
    for (; k + 4 <= depth; k += 4, w += 4 * RUNE_PACKED_CHANNELS) {
        const __m512i quads = _mm512_permutexvar_epi8(order, _mm512_loadu_si512((const void *)w));
        s0 = _mm512_dpbusd_epi32(s0, rune_packed_input_quad(x0 + k, flips), quads);
        s1 = _mm512_dpbusd_epi32(s1, rune_packed_input_quad(x1 + k, flips), quads);
        s2 = _mm512_dpbusd_epi32(s2, rune_packed_input_quad(x2 + k, flips), quads);
        s3 = _mm512_dpbusd_epi32(s3, rune_packed_input_quad(x3 + k, flips), quads);
    }
    _mm512_storeu_si512((void *)sums[0], s0);
    _mm512_storeu_si512((void *)sums[1], s1);
    _mm512_storeu_si512((void *)sums[2], s2);
    _mm512_storeu_si512((void *)sums[3], s3);
    for (; k < depth; k++, w += RUNE_PACKED_CHANNELS) {
        for (int32_t p = 0; p < RUNE_PACKED_PIXELS; p++) {
            const int32_t a = rune_packed_input(x[p], k, flip);
            for (int32_t v = 0; v < RUNE_PACKED_CHANNELS; v++) sums[p][v] += w[v] * a;
        }
    }
}

#elif defined(__AVX2__)
#define RUNE_KERNELS_POINTWISE_AVX2 1
/* A compiler header (the intrinsics), not libc: fine in freestanding C. */
#include <immintrin.h>

/* Two consecutive input bytes as [0, 255] values in the 16-bit halves of a 32-bit word, broadcast. */
static inline __m256i rune_packed_input_pair(const uint8_t *x, uint8_t flip) {
    const uint32_t pair = (uint32_t)(uint8_t)(x[0] ^ flip) | (uint32_t)(uint8_t)(x[1] ^ flip) << 16;
    return _mm256_set1_epi32((int32_t)pair);
}

/*
 * rune_packed_block_16 of pointwise_packed.h, the same sums, two input channels per lane with
 * VPMADDWD where the compiler targets AVX2 but not VNNI. Two packed rows interleave (PUNPCKLBW,
 * PUNPCKHBW) and widen to int16 so that each channel's lane holds its weights for k and k + 1;
 * a product is at most 255 x 128 in magnitude, so the pair sums exactly in 32 bits (VPMADDWD
 * overflows only on -32768 x -32768).
 */
static inline __attribute__((always_inline)) void rune_packed_block_16_avx2(const uint8_t *const x[RUNE_PACKED_PIXELS],
                                                                            const int8_t *w, int32_t depth, uint8_t flip,
                                                                            int32_t sums[RUNE_PACKED_PIXELS][RUNE_PACKED_CHANNELS]) {
    const uint8_t *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3];
    /* Per pixel, channels 0 to 7 (lo) and 8 to 15 (hi). */
    __m256i s0lo = _mm256_setzero_si256(), s0hi = _mm256_setzero_si256();
    __m256i s1lo = _mm256_setzero_si256(), s1hi = _mm256_setzero_si256();
    __m256i s2lo = _mm256_setzero_si256(), s2hi = _mm256_setzero_si256();
    __m256i s3lo = _mm256_setzero_si256(), s3hi = _mm256_setzero_si256();
    int32_t k = 0;
    for (; k + 2 <= depth; k += 2, w += 2 * RUNE_PACKED_CHANNELS) {
        const __m128i row0 = _mm_loadu_si128((const __m128i *)w);
        const __m128i row1 = _mm_loadu_si128((const __m128i *)(w + RUNE_PACKED_CHANNELS));
        const __m256i lo = _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(row0, row1));
        const __m256i hi = _mm256_cvtepi8_epi16(_mm_unpackhi_epi8(row0, row1));
        __m256i a = rune_packed_input_pair(x0 + k, flip);
        s0lo = _mm256_add_epi32(s0lo, _mm256_madd_epi16(a, lo));
        s0hi = _mm256_add_epi32(s0hi, _mm256_madd_epi16(a, hi));
        a = rune_packed_input_pair(x1 + k, flip);
        s1lo = _mm256_add_epi32(s1lo, _mm256_madd_epi16(a, lo));
        s1hi = _mm256_add_epi32(s1hi, _mm256_madd_epi16(a, hi));
        a = rune_packed_input_pair(x2 + k, flip);
        s2lo = _mm256_add_epi32(s2lo, _mm256_madd_epi16(a, lo));
        s2hi = _mm256_add_epi32(s2hi, _mm256_madd_epi16(a, hi));
        a = rune_packed_input_pair(x3 + k, flip);
        s3lo = _mm256_add_epi32(s3lo, _mm256_madd_epi16(a, lo));
        s3hi = _mm256_add_epi32(s3hi, _mm256_madd_epi16(a, hi));
    }
    _mm256_storeu_si256((__m256i *)sums[0], s0lo);
    _mm256_storeu_si256((__m256i *)(sums[0] + 8), s0hi);
    _mm256_storeu_si256((__m256i *)sums[1], s1lo);
    _mm256_storeu_si256((__m256i *)(sums[1] + 8), s1hi);
    _mm256_storeu_si256((__m256i *)sums[2], s2lo);
    _mm256_storeu_si256((__m256i *)(sums[2] + 8), s2hi);
    _mm256_storeu_si256((__m256i *)sums[3], s3lo);
    _mm256_storeu_si256((__m256i *)(sums[3] + 8), s3hi);
    if (k < depth) {
        for (int32_t p = 0; p < RUNE_PACKED_PIXELS; p++) {
            const int32_t a = rune_packed_input(x[p], k, flip);
            for (int32_t v = 0; v < RUNE_PACKED_CHANNELS; v++) sums[p][v] += w[v] * a;
        }
    }
}
#endif

#endif /* RUNE_KERNELS_OPTIMIZED_POINTWISE_PACKED_X86_H */
