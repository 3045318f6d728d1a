/*
 * optimized/float_vector.h - RUNE_FLOAT_LANES floats as one value, for the float kernels that
 * need to say which loop is the vector one: GNU C vector extensions, which clang and GCC lower to
 * one AVX, SSE or NEON register, or to scalars on a target without (Cortex-M's FPU, wasm without
 * SIMD). Eight lanes where AVX is there at compile time (a native build with -march), else four.
 * The arithmetic is lane by lane and rounds as the scalar code does.
 */
#ifndef RUNE_KERNELS_OPTIMIZED_FLOAT_VECTOR_H
#define RUNE_KERNELS_OPTIMIZED_FLOAT_VECTOR_H

#include "rune.h"

/* A test may choose the lanes (kernels/tests/float_tiles_*_test.c: every choice, on any host). */
#ifndef RUNE_FLOAT_LANES
#if defined(__AVX__)
#define RUNE_FLOAT_LANES 8
#else
#define RUNE_FLOAT_LANES 4
#endif
#endif
#if RUNE_FLOAT_LANES != 4 && RUNE_FLOAT_LANES != 8
#error "RUNE_FLOAT_LANES is 4 or 8"
#endif

typedef float rune_f32v __attribute__((vector_size(4 * RUNE_FLOAT_LANES)));
typedef int32_t rune_i32v __attribute__((vector_size(4 * RUNE_FLOAT_LANES)));

static inline rune_f32v rune_load_f32v(const float *from) {
    rune_f32v v;
    __builtin_memcpy(&v, from, sizeof v);
    return v;
}

static inline void rune_store_f32v(float *to, rune_f32v v) { __builtin_memcpy(to, &v, sizeof v); }

static inline rune_f32v rune_splat_f32v(float x) {
#if RUNE_FLOAT_LANES == 8
    return (rune_f32v){x, x, x, x, x, x, x, x};
#else
    return (rune_f32v){x, x, x, x};
#endif
}

/* when ? a : b, lane by lane, from a comparison's all-ones or all-zeros lanes. */
static inline rune_f32v rune_select_f32v(rune_i32v when, rune_f32v a, rune_f32v b) {
    return (rune_f32v)((when & (rune_i32v)a) | (~when & (rune_i32v)b));
}

/* rune_clamp_f32 lane by lane: x < lo ? lo : (x > hi ? hi : x), NaN passing through as there. */
static inline rune_f32v rune_clamp_f32v(rune_f32v x, rune_f32v lo, rune_f32v hi) {
    return rune_select_f32v(x < lo, lo, rune_select_f32v(x > hi, hi, x));
}

#endif /* RUNE_KERNELS_OPTIMIZED_FLOAT_VECTOR_H */
