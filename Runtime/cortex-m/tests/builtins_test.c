/*
 * Checks the portable part of cortex-m/builtins.c (conversions between
 * doubles/floats and 64-bit integers, 64-bit division) against the host
 * compiler's own conversions and division, which are correctly rounded.
 */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include "cortex-m/builtins.c"

static int failures = 0;
static uint64_t state = 0x2545F4914F6CDD1Dull;
static uint64_t next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static uint64_t bits_of(double value) { uint64_t bits; memcpy(&bits, &value, 8); return bits; }
static uint32_t bits_of_float(float value) { uint32_t bits; memcpy(&bits, &value, 4); return bits; }

#define FAIL(...) do { if (failures++ < 20) printf(__VA_ARGS__); } while (0)

static void check_to_integer(double value) {
    if (value > -9223372036854775808.0 - 1 && value < 9223372036854775808.0 && __aeabi_d2lz(value) != (int64_t)value) {
        FAIL("d2lz(%.17g) = %lld\n", value, (long long)__aeabi_d2lz(value));
    }
    if (value > -1.0 && value < 18446744073709551616.0 && __aeabi_d2ulz(value) != (uint64_t)value) {
        FAIL("d2ulz(%.17g) = %llu\n", value, (unsigned long long)__aeabi_d2ulz(value));
    }
    const float narrow = (float)value;
    if (narrow > -9223372036854775808.0f - 1 && narrow < 9223372036854775808.0f && __aeabi_f2lz(narrow) != (int64_t)narrow) {
        FAIL("f2lz(%.9g)\n", narrow);
    }
    if (narrow > -1.0f && narrow < 18446744073709551616.0f && __aeabi_f2ulz(narrow) != (uint64_t)narrow) {
        FAIL("f2ulz(%.9g)\n", narrow);
    }
}

static void check_from_integer(uint64_t value) {
    if (bits_of(__aeabi_ul2d(value)) != bits_of((double)value)) FAIL("ul2d(%llu)\n", (unsigned long long)value);
    if (bits_of(__aeabi_l2d((int64_t)value)) != bits_of((double)(int64_t)value)) FAIL("l2d(%lld)\n", (long long)value);
    if (bits_of_float(__aeabi_ul2f(value)) != bits_of_float((float)value)) FAIL("ul2f(%llu)\n", (unsigned long long)value);
    if (bits_of_float(__aeabi_l2f((int64_t)value)) != bits_of_float((float)(int64_t)value)) FAIL("l2f(%lld)\n", (long long)value);
}

static void check_division(uint64_t n, uint64_t d) {
    if (d == 0) return;
    uint64_t rest;
    const uint64_t q = rune_udivmod64(n, d, &rest);
    if (q != n / d || rest != n % d) FAIL("%llu / %llu\n", (unsigned long long)n, (unsigned long long)d);
    const int64_t sn = (int64_t)n, sd = (int64_t)d;
    if (sn == INT64_MIN && sd == -1) return;
    int64_t srest;
    const int64_t sq = rune_divmod64(sn, sd, &srest);
    if (sq != sn / sd || srest != sn % sd) FAIL("%lld / %lld\n", (long long)sn, (long long)sd);
}

int main(void) {
    static const double specials[] = {0.0, -0.0, 0.5, -0.5, 0.999999, 1.0, -1.0, 1.5, -2.5, 4294967295.0, 4294967296.5,
                                      9007199254740993.0, 9223372036854774784.0, -9223372036854775808.0,
                                      18446744073709549568.0, 1e-300, -1e-300};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++) check_to_integer(specials[i]);
    /* Out of range saturates; NaN gives 0. */
    if (__aeabi_d2lz(1e300) != INT64_MAX || __aeabi_d2lz(-1e300) != INT64_MIN || __aeabi_d2lz(NAN) != 0) FAIL("d2lz range\n");
    if (__aeabi_d2lz(9223372036854775808.0) != INT64_MAX || __aeabi_d2lz(INFINITY) != INT64_MAX) FAIL("d2lz 2^63\n");
    if (__aeabi_d2ulz(-5.0) != 0 || __aeabi_d2ulz(1e30) != UINT64_MAX || __aeabi_d2ulz(NAN) != 0) FAIL("d2ulz range\n");
    if (__aeabi_f2lz(-1e30f) != INT64_MIN || __aeabi_f2ulz(1e30f) != UINT64_MAX) FAIL("f2lz range\n");
    for (int i = 0; i < 1000000; i++) {
        const uint64_t bits = next();
        double value;
        memcpy(&value, &bits, 8);
        if (!isnan(value)) check_to_integer(value);
        check_to_integer((double)(int64_t)next() / (double)(1 + (next() & 0xffff)));
        const uint64_t integer = next() >> (next() & 63);
        check_from_integer(integer);
        check_from_integer(integer | 1);
        check_division(next() >> (next() & 63), next() >> (next() & 63));
        check_division(next(), next() & 0xffffffffu);
    }
    for (uint32_t shift = 0; shift < 64; shift++) {
        for (int delta = -3; delta <= 3; delta++) check_from_integer(((uint64_t)1 << shift) + (uint64_t)(int64_t)delta);
        check_from_integer((((uint64_t)1 << 53) + 1) << (shift > 10 ? 10 : shift)); /* exact ties */
        check_from_integer((((uint64_t)1 << 24) + 1) << shift);
    }
    printf(failures ? "FAIL (%d)\n" : "ok\n", failures);
    return failures != 0;
}
