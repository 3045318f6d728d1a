/*
 * optimized_test.c with the float kernels in the shape an AVX build gives them (8 lanes, tiles of
 * 8 pixels x 1 vector), whatever this host's compiler picks: the vector type is GNU C's, which
 * any target can run, only slower without the registers.
 */
#define RUNE_FLOAT_LANES 8
#define RUNE_FLOAT_TILE_PIXELS 8
#define RUNE_FLOAT_TILE_VECTORS 1
/* Without AVX the 32-byte vectors pass in memory, which GCC and clang warn changes the ABI: they
 * never cross a function boundary here that is not inlined. */
#pragma GCC diagnostic ignored "-Wpsabi"
#include "optimized_test.c"
