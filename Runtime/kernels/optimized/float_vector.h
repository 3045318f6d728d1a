/*
 * optimized/float_vector.h - four floats as one value, for the float kernels that need to say
 * which loop is the vector one: GNU C vector extensions, which clang and GCC lower to one SSE or
 * NEON register, or to four scalars on a target without (Cortex-M's FPU, wasm without SIMD).
 * The arithmetic is lane by lane and rounds as the scalar code does.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_FLOAT_VECTOR_H
#define RUNE_KERNELS_OPTIMIZED_FLOAT_VECTOR_H

#include "rune.h"

typedef float rune_f32x4 __attribute__((vector_size(16)));

static inline rune_f32x4 rune_load_f32x4(const float *from) {
    rune_f32x4 v;
    __builtin_memcpy(&v, from, sizeof v);
    return v;
}

static inline void rune_store_f32x4(float *to, rune_f32x4 v) { __builtin_memcpy(to, &v, sizeof v); }

static inline rune_f32x4 rune_splat_f32x4(float x) { return (rune_f32x4){x, x, x, x}; }

/* rune_clamp_f32 lane by lane: x < lo ? lo : (x > hi ? hi : x), NaN passing through as there. */
static inline rune_f32x4 rune_clamp_f32x4(rune_f32x4 x, rune_f32x4 lo, rune_f32x4 hi) {
    typedef int32_t rune_i32x4 __attribute__((vector_size(16)));
    const rune_i32x4 above = x > hi, below = x < lo;
    rune_i32x4 bits = (above & (rune_i32x4)hi) | (~above & (rune_i32x4)x);
    bits = (below & (rune_i32x4)lo) | (~below & bits);
    return (rune_f32x4)bits;
}

#endif /* RUNE_KERNELS_OPTIMIZED_FLOAT_VECTOR_H */
