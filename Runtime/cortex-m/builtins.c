/*
 * builtins.c - the routines compilers call on their own when targeting Arm
 * EABI, for firmware that links no libc, libgcc or compiler-rt.
 *
 * clang lowers block copies and clears to __aeabi_memcpy/__aeabi_memclr on
 * *-none-eabi targets, and no Cortex-M instruction converts between doubles
 * and 64-bit integers, divides 64-bit integers, or (without -fno-math-errno)
 * stands in for sqrt. Runtime/lib/memory.c supplies memcpy and friends; the
 * rest is here. A double-precision FPU (FPv5-D16, as on every Cortex-M7 this
 * runtime targets) is assumed: float and double arithmetic themselves are
 * instructions, not calls.
 *
 * The __aeabi_* functions use the base procedure-call standard (floating
 * arguments in core registers) even in hard-float programs, as the Arm
 * run-time ABI requires; hence the pcs attribute.
 */
#include "rune.h"

#if defined(__ARM_EABI__)
#define AEABI __attribute__((pcs("aapcs"), used))
#else
#define AEABI __attribute__((used)) /* so the conversions can be tested on a workstation */
#endif

void *memcpy(void *restrict destination, const void *restrict source, size_t count);
void *memmove(void *destination, const void *source, size_t count);
void *memset(void *destination, int value, size_t count);

/* Memory: the 4 and 8 variants only promise alignment, which memory.c
 * checks for itself. __aeabi_memset takes its arguments in another order. */
AEABI void __aeabi_memcpy(void *to, const void *from, size_t n) { memcpy(to, from, n); }
AEABI void __aeabi_memcpy4(void *to, const void *from, size_t n) { memcpy(to, from, n); }
AEABI void __aeabi_memcpy8(void *to, const void *from, size_t n) { memcpy(to, from, n); }
AEABI void __aeabi_memmove(void *to, const void *from, size_t n) { memmove(to, from, n); }
AEABI void __aeabi_memmove4(void *to, const void *from, size_t n) { memmove(to, from, n); }
AEABI void __aeabi_memmove8(void *to, const void *from, size_t n) { memmove(to, from, n); }
AEABI void __aeabi_memset(void *to, size_t n, int value) { memset(to, value, n); }
AEABI void __aeabi_memset4(void *to, size_t n, int value) { memset(to, value, n); }
AEABI void __aeabi_memset8(void *to, size_t n, int value) { memset(to, value, n); }
AEABI void __aeabi_memclr(void *to, size_t n) { memset(to, 0, n); }
AEABI void __aeabi_memclr4(void *to, size_t n) { memset(to, 0, n); }
AEABI void __aeabi_memclr8(void *to, size_t n) { memset(to, 0, n); }

static uint64_t double_bits(double value) {
    union { double d; uint64_t u; } pun = {.d = value};
    return pun.u;
}

static double double_from_bits(uint64_t bits) {
    union { uint64_t u; double d; } pun = {.u = bits};
    return pun.d;
}

static float float_from_bits(uint32_t bits) {
    union { uint32_t u; float f; } pun = {.u = bits};
    return pun.f;
}

static uint32_t highest_bit(uint64_t value) {
    uint32_t bit = 0;
    while (value >>= 1) bit++;
    return bit;
}

/*
 * |x| truncated, for a finite double. `fits` is false when it needs more
 * than 64 bits; callers saturate then, as compiler-rt does (C leaves
 * out-of-range conversions undefined, so any answer is allowed, and
 * saturating is the least surprising).
 */
static uint64_t truncated_magnitude(uint64_t bits, bool *fits) {
    const int32_t exponent = (int32_t)((bits >> 52) & 0x7ff) - 1023;
    const uint64_t mantissa = (bits & 0xfffffffffffffull) | 0x10000000000000ull;
    *fits = exponent < 64;
    if (exponent < 0) return 0;
    if (!*fits) return 0;
    return exponent >= 52 ? mantissa << (exponent - 52) : mantissa >> (52 - exponent);
}

static bool is_nan(uint64_t bits) { return (bits & 0x7fffffffffffffffull) > 0x7ff0000000000000ull; }

AEABI int64_t __aeabi_d2lz(double value) {
    const uint64_t bits = double_bits(value);
    if (is_nan(bits)) return 0;
    bool fits;
    const uint64_t magnitude = truncated_magnitude(bits, &fits);
    if (bits >> 63) {
        if (!fits || magnitude >= 0x8000000000000000ull) return (int64_t)0x8000000000000000ull;
        return -(int64_t)magnitude;
    }
    if (!fits || magnitude > 0x7fffffffffffffffull) return 0x7fffffffffffffffll;
    return (int64_t)magnitude;
}

AEABI uint64_t __aeabi_d2ulz(double value) {
    const uint64_t bits = double_bits(value);
    if (is_nan(bits) || (bits >> 63)) return 0;
    bool fits;
    const uint64_t magnitude = truncated_magnitude(bits, &fits);
    return fits ? magnitude : ~(uint64_t)0;
}

/* A float widens to double exactly, so the double routines answer for it. */
AEABI int64_t __aeabi_f2lz(float value) { return __aeabi_d2lz((double)value); }
AEABI uint64_t __aeabi_f2ulz(float value) { return __aeabi_d2ulz((double)value); }

/*
 * magnitude rounded to `precision` significant bits, ties to even, as
 * exponent/fraction fields of an IEEE format with that precision and bias.
 */
static uint64_t round_to_format(uint64_t magnitude, uint32_t precision, uint32_t bias) {
    if (magnitude == 0) return 0;
    uint32_t top = highest_bit(magnitude);
    uint64_t mantissa;
    if (top < precision) {
        mantissa = magnitude << (precision - 1 - top);
    } else {
        const uint32_t shift = top - (precision - 1);
        mantissa = magnitude >> shift;
        const uint64_t rest = magnitude & (((uint64_t)1 << shift) - 1);
        const uint64_t half = (uint64_t)1 << (shift - 1);
        if (rest > half || (rest == half && (mantissa & 1))) mantissa++;
        if (mantissa >> precision) {
            mantissa >>= 1;
            top++;
        }
    }
    return ((uint64_t)(top + bias) << (precision - 1)) | (mantissa & (((uint64_t)1 << (precision - 1)) - 1));
}

AEABI double __aeabi_ul2d(uint64_t value) { return double_from_bits(round_to_format(value, 53, 1023)); }

AEABI double __aeabi_l2d(int64_t value) {
    const uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
    return double_from_bits(round_to_format(magnitude, 53, 1023) | (value < 0 ? 1ull << 63 : 0));
}

/* Rounded once, straight to 24 bits: going through double could round twice. */
AEABI float __aeabi_ul2f(uint64_t value) { return float_from_bits((uint32_t)round_to_format(value, 24, 127)); }

AEABI float __aeabi_l2f(int64_t value) {
    const uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
    return float_from_bits((uint32_t)round_to_format(magnitude, 24, 127) | (value < 0 ? 1u << 31 : 0));
}

/* 64-bit division, shift and subtract, with the hardware divider when both
 * fit in 32 bits. Division by zero is undefined in C; it gives 0 here. */
__attribute__((used)) uint64_t rune_udivmod64(uint64_t numerator, uint64_t denominator, uint64_t *remainder) {
    if (denominator == 0) {
        *remainder = numerator;
        return 0;
    }
    if ((numerator >> 32) == 0 && (denominator >> 32) == 0) {
        const uint32_t n = (uint32_t)numerator, d = (uint32_t)denominator;
        *remainder = n % d;
        return n / d;
    }
    uint64_t quotient = 0, rest = 0;
    for (int bit = 63; bit >= 0; bit--) {
        rest = (rest << 1) | ((numerator >> bit) & 1);
        if (rest >= denominator) {
            rest -= denominator;
            quotient |= (uint64_t)1 << bit;
        }
    }
    *remainder = rest;
    return quotient;
}

/* C's truncating division: the remainder takes the dividend's sign. */
__attribute__((used)) int64_t rune_divmod64(int64_t numerator, int64_t denominator, int64_t *remainder) {
    const uint64_t n = numerator < 0 ? 0 - (uint64_t)numerator : (uint64_t)numerator;
    const uint64_t d = denominator < 0 ? 0 - (uint64_t)denominator : (uint64_t)denominator;
    uint64_t rest;
    const uint64_t quotient = rune_udivmod64(n, d, &rest);
    *remainder = numerator < 0 ? (int64_t)(0 - rest) : (int64_t)rest;
    return (numerator < 0) != (denominator < 0) ? (int64_t)(0 - quotient) : (int64_t)quotient;
}

#if defined(__arm__)
/*
 * __aeabi_uldivmod and __aeabi_ldivmod return the quotient in r0:r1 and the
 * remainder in r2:r3, which no C return type expresses: these shims pass a
 * stack slot for the remainder to the C routines above and load it into r2:r3.
 * The stack stays 8-byte aligned across the call.
 */
#define DIVMOD_SHIM(name, routine)                  \
    __attribute__((naked, used)) void name(void) {   \
        __asm volatile("push {r4, lr}\n"            \
                       "sub sp, sp, #16\n"          \
                       "add r4, sp, #8\n"           \
                       "str r4, [sp]\n"             \
                       "bl " #routine "\n"          \
                       "ldrd r2, r3, [sp, #8]\n"    \
                       "add sp, sp, #16\n"          \
                       "pop {r4, pc}\n");           \
    }

DIVMOD_SHIM(__aeabi_uldivmod, rune_udivmod64)
DIVMOD_SHIM(__aeabi_ldivmod, rune_divmod64)

/*
 * 64-bit shifts by a register (value in r0:r1, amount in r2), which code built
 * for minimum size (-Oz, as RunicOS is) calls instead of inlining. Written in
 * assembly: in C the compiler could lower them into calls to themselves. A
 * register-specified shift by 32 or more gives 0, which the low-word cases use.
 */
__attribute__((naked, used)) void __aeabi_llsl(void) {
    __asm volatile("subs r3, r2, #32\n"
                   "bpl 1f\n"
                   "rsb r12, r2, #32\n"
                   "lsl r1, r1, r2\n"
                   "lsr r12, r0, r12\n"
                   "orr r1, r1, r12\n"
                   "lsl r0, r0, r2\n"
                   "bx lr\n"
                   "1:\n"
                   "lsl r1, r0, r3\n"
                   "movs r0, #0\n"
                   "bx lr\n");
}

__attribute__((naked, used)) void __aeabi_llsr(void) {
    __asm volatile("subs r3, r2, #32\n"
                   "bpl 1f\n"
                   "rsb r12, r2, #32\n"
                   "lsr r0, r0, r2\n"
                   "lsl r12, r1, r12\n"
                   "orr r0, r0, r12\n"
                   "lsr r1, r1, r2\n"
                   "bx lr\n"
                   "1:\n"
                   "lsr r0, r1, r3\n"
                   "movs r1, #0\n"
                   "bx lr\n");
}

__attribute__((naked, used)) void __aeabi_lasr(void) {
    __asm volatile("subs r3, r2, #32\n"
                   "bpl 1f\n"
                   "rsb r12, r2, #32\n"
                   "lsr r0, r0, r2\n"
                   "lsl r12, r1, r12\n"
                   "orr r0, r0, r12\n"
                   "asr r1, r1, r2\n"
                   "bx lr\n"
                   "1:\n"
                   "asr r0, r1, r3\n"
                   "asr r1, r1, #31\n"
                   "bx lr\n");
}

/* Without -fno-math-errno compilers call these to get errno set on
 * negative input; there is no errno here, and VSQRT is IEEE-exact. */
__attribute__((used)) double sqrt(double value) {
    double result;
    __asm("vsqrt.f64 %P0, %P1" : "=w"(result) : "w"(value));
    return result;
}

__attribute__((used)) float sqrtf(float value) {
    float result;
    __asm("vsqrt.f32 %0, %1" : "=t"(result) : "t"(value));
    return result;
}
#endif
