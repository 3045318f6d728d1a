/*
 * fixedpoint.h - the integer arithmetic of quantized kernels, in one place.
 *
 * Quantized results must be bit-exact with TensorFlow Lite Micro's reference
 * kernels, so every rounding here follows the same definitions: a doubling
 * high multiply that rounds half away from zero and saturates, a division by
 * a power of two that rounds half away from zero, and the Q-format
 * fixed-point exp, reciprocal, logistic and tanh built on them. A Q-format
 * value is an int32 with `integer_bits` integer bits and 31 - integer_bits
 * fractional bits.
 */
#ifndef RUNE_KERNELS_FIXEDPOINT_H
#define RUNE_KERNELS_FIXEDPOINT_H

#include "rune.h"

#define RUNE_INT32_MIN (-2147483647 - 1)
#define RUNE_INT32_MAX 2147483647

static inline int32_t rune_min_i32(int32_t a, int32_t b) { return a < b ? a : b; }
static inline int32_t rune_max_i32(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t rune_clamp_i32(int32_t x, int32_t lo, int32_t hi) {
    return x < lo ? lo : (x > hi ? hi : x);
}

/* Wrapping arithmetic, as the reference computes in two's complement. */
static inline int32_t rune_wrap_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t rune_wrap_sub(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }
static inline int32_t rune_shift_left(int32_t x, int shift) { return (int32_t)((uint32_t)x << shift); }

/*
 * round(a * b / 2^31), saturating the one overflowing case. The reference computes
 * (ab + nudge) / 2^31 with a nudge of 2^30 for ab >= 0 and 1 - 2^30 below, and a division that
 * truncates toward zero. Below zero, truncating is flooring after adding 2^31 - 1, and
 * 1 - 2^30 + 2^31 - 1 = 2^30: so both cases are floor((ab + 2^30) / 2^31), one arithmetic
 * shift (SMLAL and two shifts on a Cortex-M) with the same result for every a and b.
 */
static inline int32_t rune_srdhm(int32_t a, int32_t b) {
    if (a == b && a == RUNE_INT32_MIN) return RUNE_INT32_MAX;
    const int64_t ab = (int64_t)a * (int64_t)b;
    return (int32_t)((ab + ((int64_t)1 << 30)) >> 31);
}

/* x / 2^exponent, rounding half away from zero. */
static inline int32_t rune_rounding_divide_by_pot(int32_t x, int exponent) {
    if (exponent == 0) return x;
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x * 2^exponent with saturation for exponent > 0, rounding for < 0. */
static inline int32_t rune_saturating_rounding_multiply_by_pot(int32_t x, int exponent) {
    if (exponent > 0) {
        const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
        if (x > threshold) return RUNE_INT32_MAX;
        if (x < -threshold) return RUNE_INT32_MIN;
        return rune_shift_left(x, exponent);
    }
    if (exponent < 0) return rune_rounding_divide_by_pot(x, -exponent);
    return x;
}

/* x * multiplier * 2^shift, multiplier a Q0.31 in [0.5, 1), shift positive to the left. */
static inline int32_t rune_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift) {
    const int left = shift > 0 ? shift : 0;
    const int right = shift > 0 ? 0 : -shift;
    return rune_rounding_divide_by_pot(rune_srdhm(rune_shift_left(x, left), multiplier), right);
}

/*
 * The last step of every quantized kernel: an int32 accumulator requantized by
 * multiplier * 2^shift, moved to the output's zero point and clamped to the activation range.
 */
static inline int32_t rune_requantize(int32_t acc, int32_t multiplier, int shift, int32_t output_offset,
                                      int32_t activation_min, int32_t activation_max) {
    const int32_t scaled = rune_multiply_by_quantized_multiplier(acc, multiplier, shift) + output_offset;
    return rune_clamp_i32(scaled, activation_min, activation_max);
}

/* --- Q-format fixed point (gemmlowp's definitions) --------------------------- */

/* The fixed-point product of Qa and Qb is Q(a+b); the raw value is a doubling high multiply. */
static inline int32_t rune_fx_mul(int32_t a, int32_t b) { return rune_srdhm(a, b); }

/* Converts a value from Q(src) to Q(dst). */
static inline int32_t rune_fx_rescale(int32_t x, int src_integer_bits, int dst_integer_bits) {
    return rune_saturating_rounding_multiply_by_pot(x, src_integer_bits - dst_integer_bits);
}

/* 1.0 in Q(integer_bits); Q0 cannot hold 1.0, so it saturates. */
static inline int32_t rune_fx_one(int integer_bits) {
    return integer_bits == 0 ? RUNE_INT32_MAX : (int32_t)1 << (31 - integer_bits);
}

/* round((a + b) / 2), halves away from zero. */
static inline int32_t rune_rounding_half_sum(int32_t a, int32_t b) {
    const int64_t sum = (int64_t)a + (int64_t)b;
    const int64_t sign = sum >= 0 ? 1 : -1;
    return (int32_t)((sum + sign) / 2);
}

/* exp(a) for a Q0 value a in [-1/4, 0). */
static inline int32_t rune_fx_exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a) {
    const int32_t constant_term = 1895147668;      /* exp(-1/8) in Q0 */
    const int32_t constant_1_over_3 = 715827883;   /* 1/3 in Q0 */
    const int32_t x = rune_wrap_add(a, (int32_t)1 << 28); /* a + 1/8 */
    const int32_t x2 = rune_fx_mul(x, x);
    const int32_t x3 = rune_fx_mul(x2, x);
    const int32_t x4 = rune_fx_mul(x2, x2);
    const int32_t x4_over_4 = rune_saturating_rounding_multiply_by_pot(x4, -2);
    const int32_t sum = rune_saturating_rounding_multiply_by_pot(
        rune_wrap_add(rune_fx_mul(rune_wrap_add(x4_over_4, x3), constant_1_over_3), x2), -1);
    return rune_wrap_add(constant_term, rune_fx_mul(constant_term, rune_wrap_add(x, sum)));
}

/* exp(a) in Q0 for a Q(integer_bits) value a <= 0. */
static inline int32_t rune_fx_exp_on_negative_values(int32_t a, int integer_bits) {
    const int fractional_bits = 31 - integer_bits;
    const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2);
    const int32_t mask = one_quarter - 1;
    const int32_t a_mod_quarter_minus_one_quarter = rune_wrap_sub(a & mask, one_quarter);
    int32_t result = rune_fx_exp_on_interval_between_negative_one_quarter_and_0_excl(
        rune_fx_rescale(a_mod_quarter_minus_one_quarter, integer_bits, 0));
    const int32_t remainder = rune_wrap_sub(a_mod_quarter_minus_one_quarter, a);
    /* Multiply by exp(-2^k) for every bit k of the remainder. */
    static const int32_t multipliers[7] = {
        1672461947, /* exp(-1/4) */
        1302514674, /* exp(-1/2) */
        790015084,  /* exp(-1) */
        290630308,  /* exp(-2) */
        39332535,   /* exp(-4) */
        720401,     /* exp(-8) */
        242,        /* exp(-16) */
    };
    for (int exponent = -2; exponent <= 4; exponent++) {
        if (integer_bits > exponent) {
            const int shift = fractional_bits + exponent;
            if (remainder & ((int32_t)1 << shift)) {
                result = rune_fx_mul(result, multipliers[exponent + 2]);
            }
        }
    }
    if (integer_bits > 5) {
        const int32_t clamp = -((int32_t)1 << (36 - integer_bits)); /* -32.0 */
        if (a < clamp) result = 0;
    }
    if (a == 0) result = RUNE_INT32_MAX;
    return result;
}

/*
 * 2 / (1 + a) in Q2 for a Q0 value a in [0, 1): three Newton-Raphson steps towards the
 * reciprocal of (1 + a) / 2, from gemmlowp's 48/17 - 32/17 * d estimate.
 */
static inline int32_t rune_fx_two_over_one_plus_x_for_x_in_0_1(int32_t a) {
    const int32_t half_denominator = rune_rounding_half_sum(a, RUNE_INT32_MAX);
    const int32_t constant_48_over_17 = 1515870810;      /* Q2 */
    const int32_t constant_neg_32_over_17 = -1010580540; /* Q2 */
    int32_t x = rune_wrap_add(constant_48_over_17, rune_fx_mul(half_denominator, constant_neg_32_over_17));
    const int32_t one_q2 = (int32_t)1 << 29;
    for (int i = 0; i < 3; i++) {
        const int32_t half_denominator_times_x = rune_fx_mul(half_denominator, x);  /* Q2 */
        const int32_t one_minus = rune_wrap_sub(one_q2, half_denominator_times_x); /* Q2 */
        x = rune_wrap_add(x, rune_fx_rescale(rune_fx_mul(x, one_minus), 4, 2));
    }
    return x;
}

/* 1 / (1 + a) in Q0 for a Q0 value a in [0, 1): the Q2 value halved (read as Q1), rescaled. */
static inline int32_t rune_fx_one_over_one_plus_x_for_x_in_0_1(int32_t a) {
    return rune_fx_rescale(rune_fx_two_over_one_plus_x_for_x_in_0_1(a), 1, 0);
}

/* (1 - a) / (1 + a) = 2 / (1 + a) - 1 in Q0 for a Q0 value a in [0, 1). */
static inline int32_t rune_fx_one_minus_x_over_one_plus_x_for_x_in_0_1(int32_t a) {
    const int32_t one_q2 = (int32_t)1 << 29;
    return rune_fx_rescale(rune_wrap_sub(rune_fx_two_over_one_plus_x_for_x_in_0_1(a), one_q2), 2, 0);
}

/* logistic(a) in Q0 for a Q(integer_bits) value a. */
static inline int32_t rune_fx_logistic(int32_t a, int integer_bits) {
    if (a == 0) return (int32_t)1 << 30; /* 0.5 */
    const int32_t abs_input = a > 0 ? a : -a;
    const int32_t positive = rune_fx_one_over_one_plus_x_for_x_in_0_1(
        rune_fx_exp_on_negative_values(-abs_input, integer_bits));
    return a > 0 ? positive : rune_wrap_sub(RUNE_INT32_MAX, positive);
}

/* tanh(a) in Q0 for a Q(integer_bits) value a. */
static inline int32_t rune_fx_tanh(int32_t a, int integer_bits) {
    if (a == 0) return 0;
    const int32_t n = a < 0 ? a : -a;
    /* exp(2n): the same raw value read with one more integer bit. */
    const int32_t t = rune_fx_one_minus_x_over_one_plus_x_for_x_in_0_1(
        rune_fx_exp_on_negative_values(n, integer_bits + 1));
    return a < 0 ? -t : t;
}

static inline int rune_count_leading_zeros(uint32_t x) {
    return x == 0 ? 32 : __builtin_clz(x);
}

/* 1 / x for a positive Q(integer_digits) value: a Q0 significand and the bits above one. */
static inline int32_t rune_fx_reciprocal(int32_t x, int integer_digits, int *bits_over_unit) {
    const int headroom_plus_one = rune_count_leading_zeros((uint32_t)x);
    *bits_over_unit = integer_digits - headroom_plus_one;
    const int32_t shifted_minus_one = (int32_t)(((uint32_t)x << headroom_plus_one) - ((uint32_t)1 << 31));
    return rune_fx_one_over_one_plus_x_for_x_in_0_1(shifted_minus_one);
}

#endif /* RUNE_KERNELS_FIXEDPOINT_H */
