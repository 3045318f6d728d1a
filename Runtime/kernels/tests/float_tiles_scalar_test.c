/*
 * optimized_test.c with the float kernels in the shape a target without vector registers gives
 * them (Cortex-M's FPU, wasm without SIMD: 4 lanes lowered to scalars, tiles of 8 pixels x 1
 * vector), whatever this host's compiler picks.
 */
#define RUNE_FLOAT_LANES 4
#define RUNE_FLOAT_TILE_PIXELS 8
#define RUNE_FLOAT_TILE_VECTORS 1
#include "optimized_test.c"
