/*
 * rune_math.h - the elementary functions kernels and blocks need, without libm.
 *
 * A rune links no C library, so exp, log, tanh, sin and cos are computed here.
 * The float versions evaluate in double and round once, which makes them
 * correctly rounded for all but a vanishing fraction of inputs (measured in
 * Runtime/lib/tests against glibc: at most 1 ulp from the true value).
 *
 * Functions that map to a single instruction on wasm32 and on Cortex-M7
 * (sqrt, fabs, floor, ceil, trunc) use the compiler builtins. Rounding to
 * nearest with ties away from zero has no wasm instruction, so it is built
 * from trunc.
 */
#ifndef RUNE_MATH_H
#define RUNE_MATH_H

#include "rune.h"

#define RUNE_PI 3.14159265358979323846
#define RUNE_LN2 0.69314718055994530942

static inline double rune_double_from_bits(uint64_t bits) {
    union { uint64_t u; double d; } value;
    value.u = bits;
    return value.d;
}

static inline uint64_t rune_double_bits(double x) {
    union { uint64_t u; double d; } value;
    value.d = x;
    return value.u;
}

static inline float rune_float_from_bits(uint32_t bits) {
    union { uint32_t u; float f; } value;
    value.u = bits;
    return value.f;
}

static inline uint32_t rune_float_bits(float x) {
    union { uint32_t u; float f; } value;
    value.f = x;
    return value.u;
}

static inline double rune_infinity(void) { return rune_double_from_bits(0x7ff0000000000000ull); }
static inline double rune_nan(void) { return rune_double_from_bits(0x7ff8000000000000ull); }

static inline float rune_fabsf(float x) { return __builtin_fabsf(x); }
static inline double rune_fabs(double x) { return __builtin_fabs(x); }
static inline float rune_sqrtf(float x) { return __builtin_sqrtf(x); }
static inline double rune_sqrt(double x) { return __builtin_sqrt(x); }
static inline float rune_floorf(float x) { return __builtin_floorf(x); }
static inline double rune_floor(double x) { return __builtin_floor(x); }
static inline float rune_ceilf(float x) { return __builtin_ceilf(x); }
static inline double rune_ceil(double x) { return __builtin_ceil(x); }
static inline float rune_truncf(float x) { return __builtin_truncf(x); }
static inline double rune_trunc(double x) { return __builtin_trunc(x); }
static inline float rune_fminf(float a, float b) { return a < b ? a : b; }
static inline float rune_fmaxf(float a, float b) { return a > b ? a : b; }

/* Round half away from zero, like C's round(). */
static inline double rune_round(double x) {
    double t = rune_trunc(x);
    if (rune_fabs(x - t) >= 0.5) t += (x > 0.0) ? 1.0 : -1.0;
    return t;
}

static inline float rune_roundf(float x) {
    float t = rune_truncf(x);
    if (rune_fabsf(x - t) >= 0.5f) t += (x > 0.0f) ? 1.0f : -1.0f;
    return t;
}

/* x * 2^k for any k; a subnormal result is rounded once. */
static inline double rune_ldexp(double x, int k) {
    const double two_1023 = rune_double_from_bits(0x7fe0000000000000ull);
    const double two_minus_1022 = rune_double_from_bits(0x0010000000000000ull);
    for (int step = 0; step < 2 && k > 1023; step++) {
        x *= two_1023;
        k -= 1023;
    }
    for (int step = 0; step < 2 && k < -1022; step++) {
        x *= two_minus_1022;
        k += 1022;
    }
    if (k > 1023) k = 1023;
    if (k < -1022) k = -1022;
    return x * rune_double_from_bits((uint64_t)(k + 1023) << 52);
}

static inline double rune_exp(double x) {
    if (x != x) return x;
    if (x > 709.782712893384) return rune_infinity();
    if (x < -745.1332191019412) return 0.0;
    /* x = k ln2 + r with |r| <= ln2 / 2, ln2 split so k * ln2_hi is exact. */
    const double ln2_hi = 6.93147180369123816490e-01;
    const double ln2_lo = 1.90821492927058770002e-10;
    double k = rune_floor(x * 1.44269504088896338700 + 0.5);
    double r = (x - k * ln2_hi) - k * ln2_lo;
    /* Taylor series to r^13: truncation error below 1e-17 relative on |r| <= 0.347. */
    double p = 1.0 + r / 13.0;
    p = 1.0 + r / 12.0 * p;
    p = 1.0 + r / 11.0 * p;
    p = 1.0 + r / 10.0 * p;
    p = 1.0 + r / 9.0 * p;
    p = 1.0 + r / 8.0 * p;
    p = 1.0 + r / 7.0 * p;
    p = 1.0 + r / 6.0 * p;
    p = 1.0 + r / 5.0 * p;
    p = 1.0 + r / 4.0 * p;
    p = 1.0 + r / 3.0 * p;
    p = 1.0 + r / 2.0 * p;
    p = 1.0 + r * p;
    return rune_ldexp(p, (int)k);
}

static inline double rune_log(double x) {
    if (x != x || x < 0.0) return rune_nan();
    if (x == 0.0) return -rune_infinity();
    if (x == rune_infinity()) return x;
    int exponent = 0;
    uint64_t bits = rune_double_bits(x);
    if ((bits >> 52) == 0) { /* subnormal */
        x *= 18014398509481984.0; /* 2^54 */
        exponent -= 54;
        bits = rune_double_bits(x);
    }
    exponent += (int)((bits >> 52) & 0x7ff) - 1023;
    double m = rune_double_from_bits((bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull);
    if (m > 1.41421356237309504880) {
        m *= 0.5;
        exponent += 1;
    }
    /* log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716. */
    double s = (m - 1.0) / (m + 1.0);
    double s2 = s * s;
    double series = 1.0 / 25.0;
    for (int n = 23; n >= 1; n -= 2) series = 1.0 / n + s2 * series;
    const double ln2_hi = 6.93147180369123816490e-01;
    const double ln2_lo = 1.90821492927058770002e-10;
    return exponent * ln2_hi + (exponent * ln2_lo + 2.0 * s * series);
}

static inline double rune_tanh(double x) {
    double a = rune_fabs(x);
    double result;
    if (x != x) return x;
    if (a > 22.0) {
        result = 1.0;
    } else if (a < 1e-5) {
        result = a - a * a * a / 3.0;
    } else {
        double e = rune_exp(2.0 * a);
        result = (e - 1.0) / (e + 1.0);
    }
    return x < 0.0 ? -result : result;
}

/* sin and cos on [-pi/4, pi/4]. */
static inline double rune_sin_kernel(double r) {
    double r2 = r * r;
    double p = -1.0 / 1307674368000.0;           /* -1/15! */
    p = 1.0 / 6227020800.0 + r2 * p;             /*  1/13! */
    p = -1.0 / 39916800.0 + r2 * p;              /* -1/11! */
    p = 1.0 / 362880.0 + r2 * p;                 /*  1/9!  */
    p = -1.0 / 5040.0 + r2 * p;                  /* -1/7!  */
    p = 1.0 / 120.0 + r2 * p;                    /*  1/5!  */
    p = -1.0 / 6.0 + r2 * p;                     /* -1/3!  */
    return r + r * r2 * p;
}

static inline double rune_cos_kernel(double r) {
    double r2 = r * r;
    double p = -1.0 / 87178291200.0;             /* -1/14! */
    p = 1.0 / 479001600.0 + r2 * p;              /*  1/12! */
    p = -1.0 / 3628800.0 + r2 * p;               /* -1/10! */
    p = 1.0 / 40320.0 + r2 * p;                  /*  1/8!  */
    p = -1.0 / 720.0 + r2 * p;                   /* -1/6!  */
    p = 1.0 / 24.0 + r2 * p;                     /*  1/4!  */
    p = -0.5 + r2 * p;                           /* -1/2!  */
    return 1.0 + r2 * p;
}

/* Reduces x by multiples of pi/2 (Cody-Waite, exact enough for |x| < 2^20). */
static inline double rune_reduce_half_pi(double x, int *quadrant) {
    const double pio2_1 = 1.57079632673412561417e+00;
    const double pio2_2 = 6.07710050650619224932e-11;
    const double pio2_3 = 2.02226624879595063154e-21;
    double k = rune_round(x * 6.36619772367581382433e-01);
    *quadrant = (int)((int64_t)k & 3);
    return ((x - k * pio2_1) - k * pio2_2) - k * pio2_3;
}

static inline double rune_sin(double x) {
    int quadrant;
    if (x != x || rune_fabs(x) == rune_infinity()) return rune_nan();
    double r = rune_reduce_half_pi(x, &quadrant);
    switch (quadrant) {
    case 0: return rune_sin_kernel(r);
    case 1: return rune_cos_kernel(r);
    case 2: return -rune_sin_kernel(r);
    default: return -rune_cos_kernel(r);
    }
}

static inline double rune_cos(double x) {
    int quadrant;
    if (x != x || rune_fabs(x) == rune_infinity()) return rune_nan();
    double r = rune_reduce_half_pi(x, &quadrant);
    switch (quadrant) {
    case 0: return rune_cos_kernel(r);
    case 1: return -rune_sin_kernel(r);
    case 2: return -rune_cos_kernel(r);
    default: return rune_sin_kernel(r);
    }
}

/* x^y for x > 0, and for x <= 0 with integral y. */
static inline double rune_pow(double x, double y) {
    if (y == 0.0) return 1.0;
    if (x != x || y != y) return rune_nan();
    if (x > 0.0) return rune_exp(y * rune_log(x));
    if (rune_trunc(y) != y) return rune_nan();
    if (x == 0.0) return y > 0.0 ? 0.0 : rune_infinity();
    double magnitude = rune_exp(y * rune_log(-x));
    int64_t integral = (int64_t)y;
    return (integral & 1) ? -magnitude : magnitude;
}

static inline float rune_expf(float x) { return (float)rune_exp((double)x); }
static inline float rune_logf(float x) { return (float)rune_log((double)x); }
static inline float rune_tanhf(float x) { return (float)rune_tanh((double)x); }
static inline float rune_sinf(float x) { return (float)rune_sin((double)x); }
static inline float rune_cosf(float x) { return (float)rune_cos((double)x); }
static inline float rune_powf(float x, float y) { return (float)rune_pow((double)x, (double)y); }
static inline float rune_log10f(float x) { return (float)(rune_log((double)x) / 2.30258509299404568402); }
static inline float rune_log2f(float x) { return (float)(rune_log((double)x) / RUNE_LN2); }


/* The exact remainder of x / y with the sign of x, like C's fmodf (and Rust's `%` on f32):
 * long division on the significands, so no rounding happens anywhere. */
static inline float rune_fmodf(float x, float y) {
    uint32_t ux = rune_float_bits(x), uy = rune_float_bits(y);
    uint32_t sign = ux & 0x80000000u;
    ux &= 0x7fffffffu;
    uy &= 0x7fffffffu;
    if (uy == 0 || ux >= 0x7f800000u || uy > 0x7f800000u) return (x * y) / (x * y);
    if (ux < uy) return x;
    int ex = (int)(ux >> 23), ey = (int)(uy >> 23);
    uint32_t mx, my;
    if (ex == 0) { mx = ux; ex = 1; while (mx < 0x00800000u) { mx <<= 1; ex--; } } else mx = (ux & 0x007fffffu) | 0x00800000u;
    if (ey == 0) { my = uy; ey = 1; while (my < 0x00800000u) { my <<= 1; ey--; } } else my = (uy & 0x007fffffu) | 0x00800000u;
    for (; ex > ey; ex--) {
        if (mx >= my) mx -= my;
        mx <<= 1;
    }
    if (mx >= my) mx -= my;
    if (mx == 0) return rune_float_from_bits(sign);
    while (mx < 0x00800000u) { mx <<= 1; ex--; }
    uint32_t bits = ex > 0 ? ((uint32_t)ex << 23) | (mx & 0x007fffffu) : mx >> (1 - ex);
    return rune_float_from_bits(bits | sign);
}

static inline double rune_log2(double x) { return rune_log(x) * 1.44269504088896340736; }

#endif /* RUNE_MATH_H */
