/*
 * optimized/arm_dsp.h - the Armv7E-M DSP instructions the int8 kernels use, as CMSIS-NN uses
 * them: SXTB16 and SXTAB16 unpack two int8 lanes into int16 (adding the input offset on the way),
 * SMLAD does two multiply-adds at once, SMLABB/SMLATT one per 16-bit lane.
 *
 * RUNE_KERNELS_DSP is defined when the kernels take these paths: on a target with the DSP
 * extension (__ARM_FEATURE_DSP: Cortex-M4, M7, M33...) unless RUNE_KERNELS_NO_DSP asks for the
 * plain loops, and anywhere with RUNE_KERNELS_EMULATE_DSP, where each instruction is the plain
 * C below with the instruction's exact semantics (wrapping 32-bit sums, 16-bit lanes), so the
 * host can test the DSP kernels against the reference bit for bit.
 *
 * Values are packed little-endian: lane 0 is bits 0-15, lane 1 bits 16-31.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_ARM_DSP_H
#define RUNE_KERNELS_OPTIMIZED_ARM_DSP_H

#include "kernels/common.h"

#if defined(__ARM_FEATURE_DSP) && !defined(RUNE_KERNELS_NO_DSP)
#define RUNE_KERNELS_DSP 1
#define RUNE_DSP_NATIVE 1
#elif defined(RUNE_KERNELS_EMULATE_DSP)
#define RUNE_KERNELS_DSP 1
#endif

#ifdef RUNE_KERNELS_DSP

/* Four bytes from any address: Armv7E-M's LDR allows unaligned loads. */
static inline uint32_t rune_dsp_load4(const int8_t *p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}

static inline uint32_t rune_dsp_ror8(uint32_t x) { return (x >> 8) | (x << 24); }

/* A 16-bit value in both lanes. */
static inline uint32_t rune_dsp_pair(int32_t v) { return (uint32_t)(uint16_t)v * 0x00010001u; }

#ifdef RUNE_DSP_NATIVE
/* Bytes 0 and 2 of x, sign-extended to 16 bits. */
static inline uint32_t rune_dsp_sxtb16(uint32_t x) { return __builtin_arm_sxtb16(x); }
/* Each lane of a plus the sign-extended byte 0 / byte 2 of x, modulo 2^16. */
static inline uint32_t rune_dsp_sxtab16(uint32_t a, uint32_t x) { return __builtin_arm_sxtab16(a, x); }
/* acc + a0 b0 + a1 b1, wrapping. */
static inline int32_t rune_dsp_smlad(uint32_t a, uint32_t b, int32_t acc) { return __builtin_arm_smlad(a, b, acc); }
/* acc + a0 b0, and acc + a1 b1, wrapping. */
static inline int32_t rune_dsp_smlabb(uint32_t a, uint32_t b, int32_t acc) { return __builtin_arm_smlabb(a, b, acc); }
static inline int32_t rune_dsp_smlatt(uint32_t a, uint32_t b, int32_t acc) { return __builtin_arm_smlatt(a, b, acc); }
/* acc + a0 b1, wrapping. */
static inline int32_t rune_dsp_smlabt(uint32_t a, uint32_t b, int32_t acc) { return __builtin_arm_smlabt(a, b, acc); }
#else
static inline int32_t rune_dsp_lane0(uint32_t x) { return (int16_t)(uint16_t)(x & 0xFFFFu); }
static inline int32_t rune_dsp_lane1(uint32_t x) { return (int16_t)(uint16_t)(x >> 16); }
static inline uint32_t rune_dsp_sxtb16(uint32_t x) {
    return (uint32_t)(uint16_t)(int16_t)(int8_t)(x & 0xFFu) | (uint32_t)(uint16_t)(int16_t)(int8_t)((x >> 16) & 0xFFu) << 16;
}
static inline uint32_t rune_dsp_sxtab16(uint32_t a, uint32_t x) {
    const uint32_t low = (a + (uint32_t)(int32_t)(int8_t)(x & 0xFFu)) & 0xFFFFu;
    const uint32_t high = ((a >> 16) + (uint32_t)(int32_t)(int8_t)((x >> 16) & 0xFFu)) & 0xFFFFu;
    return low | high << 16;
}
static inline int32_t rune_dsp_smlad(uint32_t a, uint32_t b, int32_t acc) {
    return (int32_t)((uint32_t)acc + (uint32_t)(rune_dsp_lane0(a) * rune_dsp_lane0(b))
                     + (uint32_t)(rune_dsp_lane1(a) * rune_dsp_lane1(b)));
}
static inline int32_t rune_dsp_smlabb(uint32_t a, uint32_t b, int32_t acc) {
    return (int32_t)((uint32_t)acc + (uint32_t)(rune_dsp_lane0(a) * rune_dsp_lane0(b)));
}
static inline int32_t rune_dsp_smlatt(uint32_t a, uint32_t b, int32_t acc) {
    return (int32_t)((uint32_t)acc + (uint32_t)(rune_dsp_lane1(a) * rune_dsp_lane1(b)));
}
static inline int32_t rune_dsp_smlabt(uint32_t a, uint32_t b, int32_t acc) {
    return (int32_t)((uint32_t)acc + (uint32_t)(rune_dsp_lane0(a) * rune_dsp_lane1(b)));
}
#endif

/*
 * sum(w[i] * (x[i] + offset)) for four weight rows against one input run, four bytes at a time:
 * each input word is unpacked (with the offset added, in 16 bits: x + offset is within
 * [-255, 255]) once for the four rows, and each row word takes two SXTB16 and two SMLAD.
 * `offset2` is rune_dsp_pair(offset). Adds into acc[0..3].
 */
static inline void rune_dsp_dot4_s8(const int8_t *x, const int8_t *w0, const int8_t *w1, const int8_t *w2,
                                    const int8_t *w3, int32_t count, int32_t offset, uint32_t offset2,
                                    int32_t *acc) {
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    int32_t i = 0;
    for (; i + 4 <= count; i += 4) {
        const uint32_t xw = rune_dsp_load4(x + i);
        const uint32_t x02 = rune_dsp_sxtab16(offset2, xw), x13 = rune_dsp_sxtab16(offset2, rune_dsp_ror8(xw));
        uint32_t w = rune_dsp_load4(w0 + i);
        a0 = rune_dsp_smlad(x02, rune_dsp_sxtb16(w), a0);
        a0 = rune_dsp_smlad(x13, rune_dsp_sxtb16(rune_dsp_ror8(w)), a0);
        w = rune_dsp_load4(w1 + i);
        a1 = rune_dsp_smlad(x02, rune_dsp_sxtb16(w), a1);
        a1 = rune_dsp_smlad(x13, rune_dsp_sxtb16(rune_dsp_ror8(w)), a1);
        w = rune_dsp_load4(w2 + i);
        a2 = rune_dsp_smlad(x02, rune_dsp_sxtb16(w), a2);
        a2 = rune_dsp_smlad(x13, rune_dsp_sxtb16(rune_dsp_ror8(w)), a2);
        w = rune_dsp_load4(w3 + i);
        a3 = rune_dsp_smlad(x02, rune_dsp_sxtb16(w), a3);
        a3 = rune_dsp_smlad(x13, rune_dsp_sxtb16(rune_dsp_ror8(w)), a3);
    }
    for (; i < count; i++) {
        const int32_t v = (int32_t)x[i] + offset;
        a0 += (int32_t)w0[i] * v;
        a1 += (int32_t)w1[i] * v;
        a2 += (int32_t)w2[i] * v;
        a3 += (int32_t)w3[i] * v;
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/* sum(w[i] * (x[i] + offset)) for one weight row: rune_dsp_dot4_s8's loop for a single row. */
static inline int32_t rune_dsp_dot_s8(const int8_t *x, const int8_t *w, int32_t count, int32_t offset,
                                      uint32_t offset2) {
    int32_t acc = 0;
    int32_t i = 0;
    for (; i + 4 <= count; i += 4) {
        const uint32_t xw = rune_dsp_load4(x + i), ww = rune_dsp_load4(w + i);
        acc = rune_dsp_smlad(rune_dsp_sxtab16(offset2, xw), rune_dsp_sxtb16(ww), acc);
        acc = rune_dsp_smlad(rune_dsp_sxtab16(offset2, rune_dsp_ror8(xw)), rune_dsp_sxtb16(rune_dsp_ror8(ww)), acc);
    }
    for (; i < count; i++) acc += (int32_t)w[i] * ((int32_t)x[i] + offset);
    return acc;
}

#endif /* RUNE_KERNELS_DSP */

#endif /* RUNE_KERNELS_OPTIMIZED_ARM_DSP_H */
