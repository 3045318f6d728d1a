/*
 * rune_requantize_channel_s8 and the per-tensor rune_requantize_with_tensor_s8 (kernels/common.h), which fold
 * the doubling high multiply and the rounding shift into one 64-bit sum, against rune_requantize,
 * the reference's two roundings.
 * Every edge accumulator against every edge multiplier and every shift in [-31, 31], then
 * 20 million seeded random cases (accumulators of every magnitude, multipliers near 2^30 as
 * TFLite writes them and anywhere, random output offsets and activation ranges) must agree.
 *
 *     requantize_test [SEED [CASES]]
 */
#include <stdio.h>
#include <stdlib.h>
#include "rune.h"
#include "kernels/common.h"

static uint32_t state;
static uint32_t next(void) { state ^= state << 13; state ^= state >> 17; state ^= state << 5; return state; }

static int failures;
static long compared;
static void compare(int32_t acc, int32_t multiplier, int32_t shift, int32_t offset, int32_t lo, int32_t hi) {
    const rune_requantization q = {&multiplier, &shift, 0, offset, lo, hi};
    const rune_channel_scale s = rune_channel_scale_of(&q, 0);
    const int8_t ours = rune_requantize_channel_s8(&q, &s, acc), tensor = rune_requantize_with_tensor_s8(&q, &s, 0, acc);
    const int8_t theirs = (int8_t)rune_requantize(acc, multiplier, shift, offset, lo, hi);
    compared++;
    if ((ours != theirs || tensor != theirs) && failures++ < 10)
        printf("requantize(%d, %d, %d, offset %d, [%d, %d]) is %d, reference %d\n", acc, multiplier, shift, offset,
               lo, hi, ours, theirs);
}

int main(int argc, char **argv) {
    state = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 20261130u;
    if (!state) state = 1;
    const long cases = argc > 2 ? atol(argv[2]) : 20000000L;
    static const int32_t accs[] = {0, 1, -1, 2, -2, 3, -3, 127, -128, 1 << 30, -(1 << 30), (1 << 30) + 1,
                                   (1 << 30) - 1, -(1 << 30) + 1, -(1 << 30) - 1, RUNE_INT32_MIN,
                                   RUNE_INT32_MIN + 1, RUNE_INT32_MAX, RUNE_INT32_MAX - 1, 46341, -46341, 65536,
                                   -65536, 1 << 20, -(1 << 20), (1 << 20) + (1 << 19), -(1 << 20) - (1 << 19)};
    static const int32_t multipliers[] = {1 << 30, (1 << 30) + 1, RUNE_INT32_MAX, RUNE_INT32_MAX - 1, 1518500250,
                                          1, 2, 0, -1, -(1 << 30), RUNE_INT32_MIN, RUNE_INT32_MIN + 1};
    const int accs_count = (int)(sizeof accs / sizeof accs[0]);
    const int multipliers_count = (int)(sizeof multipliers / sizeof multipliers[0]);
    for (int i = 0; i < accs_count; i++)
        for (int j = 0; j < multipliers_count; j++)
            for (int32_t shift = -31; shift <= 31; shift++) {
                /* No clamp (the int8 store keeps the low byte of the scaled value), the int8 range,
                 * and a ReLU6-like range with an offset. */
                compare(accs[i], multipliers[j], shift, 0, RUNE_INT32_MIN, RUNE_INT32_MAX);
                compare(accs[i], multipliers[j], shift, 0, -128, 127);
                compare(accs[i], multipliers[j], shift, -5, -128, 6);
            }
    for (long i = 0; i < cases; i++) {
        const uint32_t shape = next() % 4;
        int32_t acc = (int32_t)next();
        if (shape != 3) acc >>= next() % 32;
        const int32_t multiplier = shape == 2 ? (int32_t)next()
                                              : (int32_t)(0x40000000u + next() % 0x40000000u);
        const int32_t shift = (int32_t)(next() % 63) - 31;
        const int32_t offset = (int32_t)(next() % 256) - 128;
        const int clamped = next() % 2;
        const int32_t lo = clamped ? (int32_t)(next() % 128) - 128 : RUNE_INT32_MIN;
        const int32_t hi = clamped ? (int32_t)(next() % 128) : RUNE_INT32_MAX;
        compare(acc, multiplier, shift, clamped ? offset : 0, lo, hi);
    }
    printf("%ld cases, %d differ\n", compared, failures);
    return failures ? 1 : 0;
}
