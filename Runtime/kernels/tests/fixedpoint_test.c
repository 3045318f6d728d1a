/*
 * rune_srdhm (kernels/fixedpoint.h), one shift, against gemmlowp's definition as TFLM's
 * reference kernels write it: (ab + nudge) / 2^31 with a sign-dependent nudge and a division
 * that truncates toward zero. Every edge pair (0, +-1, +-2^30, INT32_MIN, INT32_MAX and their
 * neighbours) and 20 million seeded random pairs must agree.
 *
 *     fixedpoint_test [SEED [PAIRS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include "rune.h"
#include "kernels/fixedpoint.h"

static int32_t gemmlowp_srdhm(int32_t a, int32_t b) {
    if (a == b && a == RUNE_INT32_MIN) return RUNE_INT32_MAX;
    const int64_t ab = (int64_t)a * (int64_t)b;
    const int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

static uint32_t state;
static uint32_t next(void) { state ^= state << 13; state ^= state >> 17; state ^= state << 5; return state; }

static int failures;
static void compare(int32_t a, int32_t b) {
    const int32_t ours = rune_srdhm(a, b), theirs = gemmlowp_srdhm(a, b);
    if (ours != theirs && failures++ < 10) printf("srdhm(%d, %d) is %d, reference %d\n", a, b, ours, theirs);
}

int main(int argc, char **argv) {
    state = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 20261130u;
    if (!state) state = 1;
    const long pairs = argc > 2 ? atol(argv[2]) : 20000000L;
    static const int32_t edges[] = {0, 1, -1, 2, -2, 1 << 30, -(1 << 30), (1 << 30) + 1, (1 << 30) - 1,
                                    -(1 << 30) + 1, -(1 << 30) - 1, RUNE_INT32_MIN, RUNE_INT32_MIN + 1,
                                    RUNE_INT32_MAX, RUNE_INT32_MAX - 1, 46341, -46341, 65536, -65536};
    const int count = (int)(sizeof edges / sizeof edges[0]);
    for (int i = 0; i < count; i++)
        for (int j = 0; j < count; j++) compare(edges[i], edges[j]);
    for (long i = 0; i < pairs; i++) {
        const uint32_t shape = next() % 4;
        int32_t a = (int32_t)next(), b = (int32_t)next();
        /* Small accumulators and multipliers near 2^30, as requantization sees them. */
        if (shape == 1) a >>= next() % 31;
        if (shape == 2) b = (int32_t)(0x40000000u + next() % 0x40000000u);
        compare(a, b);
    }
    printf("%d edge pairs and %ld random pairs, %d differ\n", count * count, pairs, failures);
    return failures ? 1 : 0;
}
