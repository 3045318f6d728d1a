/*
 * json.c - number and string spellings for SERIAL records (see json.h).
 *
 * Floats use the free-format digit generation of Steele & White as refined
 * by Burger & Dybvig, on exact big integers. It is far slower than Ryu, but
 * short and exact, and the serial line, not this, bounds how fast a board
 * can print. No 64-bit division or float arithmetic is used, so nothing here
 * calls into libgcc or compiler-rt, which the firmware does not link.
 */
#include "cortex-m/json.h"

/* The largest number the digit loop meets is about 2^1090 (a subnormal double
 * scaled by 10^324), which 40 limbs hold with room to spare. */
#define BIG_LIMBS 40

typedef struct big {
    uint32_t limb[BIG_LIMBS];
    uint32_t used;
} big;

static void big_trim(big *b) {
    while (b->used > 0 && b->limb[b->used - 1] == 0) b->used--;
}

static void big_set(big *b, uint64_t value) {
    b->limb[0] = (uint32_t)value;
    b->limb[1] = (uint32_t)(value >> 32);
    b->used = 2;
    big_trim(b);
}

static void big_mul_small(big *b, uint32_t factor) {
    uint32_t carry = 0;
    for (uint32_t i = 0; i < b->used; i++) {
        const uint64_t product = (uint64_t)b->limb[i] * factor + carry;
        b->limb[i] = (uint32_t)product;
        carry = (uint32_t)(product >> 32);
    }
    if (carry != 0 && b->used < BIG_LIMBS) b->limb[b->used++] = carry;
}

static void big_mul_pow10(big *b, uint32_t exponent) {
    static const uint32_t small[9] = {1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u};
    while (exponent >= 9) {
        big_mul_small(b, 1000000000u);
        exponent -= 9;
    }
    big_mul_small(b, small[exponent]);
}

static void big_shift_left(big *b, uint32_t count) {
    if (b->used == 0) return;
    const uint32_t words = count / 32;
    const uint32_t bits = count % 32;
    const uint32_t old_used = b->used;
    uint32_t used = old_used + words + 1;
    if (used > BIG_LIMBS) used = BIG_LIMBS;
    for (uint32_t i = used; i-- > 0;) {
        const uint32_t high = (i >= words && i - words < old_used) ? b->limb[i - words] : 0;
        const uint32_t low = (i >= words + 1 && i - words - 1 < old_used) ? b->limb[i - words - 1] : 0;
        b->limb[i] = bits ? (high << bits) | (low >> (32 - bits)) : high;
    }
    b->used = used;
    big_trim(b);
}

static int big_compare(const big *a, const big *b) {
    if (a->used != b->used) return a->used < b->used ? -1 : 1;
    for (uint32_t i = a->used; i-- > 0;) {
        if (a->limb[i] != b->limb[i]) return a->limb[i] < b->limb[i] ? -1 : 1;
    }
    return 0;
}

/* out = a + b; out may be a or b. */
static void big_add(big *out, const big *a, const big *b) {
    const uint32_t used = a->used > b->used ? a->used : b->used;
    uint32_t carry = 0;
    for (uint32_t i = 0; i < used; i++) {
        const uint64_t sum = (uint64_t)(i < a->used ? a->limb[i] : 0) + (i < b->used ? b->limb[i] : 0) + carry;
        out->limb[i] = (uint32_t)sum;
        carry = (uint32_t)(sum >> 32);
    }
    out->used = used;
    if (carry != 0 && used < BIG_LIMBS) out->limb[out->used++] = carry;
}

/* a -= b, where a >= b. */
static void big_sub(big *a, const big *b) {
    uint32_t borrow = 0;
    for (uint32_t i = 0; i < a->used; i++) {
        const uint64_t subtrahend = (uint64_t)(i < b->used ? b->limb[i] : 0) + borrow;
        const uint32_t limb = a->limb[i];
        a->limb[i] = (uint32_t)((uint64_t)limb - subtrahend);
        borrow = (uint64_t)limb < subtrahend;
    }
    big_trim(a);
}

/* floor(a / 4096) for negative a too, without relying on how >> treats signs. */
static int32_t floor_div_4096(int32_t a) {
    int32_t q = a / 4096;
    if (a % 4096 != 0 && a < 0) q--;
    return q;
}

/*
 * Writes the shortest digits d1d2...dn such that 0.d1d2...dn x 10^point lies
 * strictly inside the interval of reals that round to mantissa x 2^exponent
 * (or on its ends when the mantissa is even, as round-half-even reading then
 * maps them back), choosing the closest such digits. `precision` is the
 * format's significand width, `min_exponent` the exponent of its subnormals.
 */
static uint32_t shortest_digits(uint64_t mantissa, int32_t exponent, uint32_t precision, int32_t min_exponent,
                                char *digits, uint32_t capacity, int32_t *point) {
    big r, s, mplus, mminus, t;
    /* At a power of two the next value down is only half as far away. */
    const bool boundary = mantissa == ((uint64_t)1 << (precision - 1)) && exponent > min_exponent;
    const bool inclusive = (mantissa & 1) == 0;

    /* r / s is the value, mplus / s and mminus / s half the gaps above and below. */
    if (exponent >= 0) {
        big_set(&r, mantissa);
        big_shift_left(&r, (uint32_t)exponent + (boundary ? 2 : 1));
        big_set(&s, boundary ? 4 : 2);
        big_set(&mplus, 1);
        big_shift_left(&mplus, (uint32_t)exponent + (boundary ? 1 : 0));
        big_set(&mminus, 1);
        big_shift_left(&mminus, (uint32_t)exponent);
    } else {
        big_set(&r, mantissa);
        big_shift_left(&r, boundary ? 2 : 1);
        big_set(&s, 1);
        big_shift_left(&s, (uint32_t)(-exponent) + (boundary ? 2 : 1));
        big_set(&mplus, boundary ? 2 : 1);
        big_set(&mminus, 1);
    }

    /* An estimate of the decimal exponent from the binary one; corrected below. */
    int32_t bit_length = 0;
    for (uint64_t m = mantissa; m != 0; m >>= 1) bit_length++;
    int32_t k = floor_div_4096((bit_length + exponent - 1) * 1233) + 1;
    if (k >= 0) {
        big_mul_pow10(&s, (uint32_t)k);
    } else {
        big_mul_pow10(&r, (uint32_t)(-k));
        big_mul_pow10(&mplus, (uint32_t)(-k));
        big_mul_pow10(&mminus, (uint32_t)(-k));
    }
    /* Make k the least exponent with the interval's top below 10^k. */
    for (;;) {
        big_add(&t, &r, &mplus);
        const int c = big_compare(&t, &s);
        if (!(inclusive ? c >= 0 : c > 0)) break;
        big_mul_small(&s, 10);
        k++;
    }
    for (;;) {
        big_add(&t, &r, &mplus);
        big_mul_small(&t, 10);
        const int c = big_compare(&t, &s);
        if (!(inclusive ? c < 0 : c <= 0)) break;
        big_mul_small(&r, 10);
        big_mul_small(&mplus, 10);
        big_mul_small(&mminus, 10);
        k--;
    }

    uint32_t count = 0;
    for (;;) {
        big_mul_small(&r, 10);
        big_mul_small(&mplus, 10);
        big_mul_small(&mminus, 10);
        uint32_t digit = 0;
        while (big_compare(&r, &s) >= 0) {
            big_sub(&r, &s);
            digit++;
        }
        const int low = big_compare(&r, &mminus);
        big_add(&t, &r, &mplus);
        const int high = big_compare(&t, &s);
        const bool stop_low = inclusive ? low <= 0 : low < 0;
        const bool stop_high = inclusive ? high >= 0 : high > 0;
        if (!stop_low && !stop_high && count + 1 < capacity) {
            digits[count++] = (char)('0' + digit);
            continue;
        }
        if (stop_low && stop_high) {
            /* Both d and d+1 end inside the interval: take the closer one,
             * and on an exact tie the one with the even last digit. */
            big_add(&t, &r, &r);
            const int c = big_compare(&t, &s);
            if (c > 0 || (c == 0 && (digit & 1) != 0)) digit++;
        } else if (stop_high) {
            digit++;
        }
        digits[count++] = (char)('0' + digit);
        break;
    }
    /* Rounding the last digit up can carry; the interval bound keeps this from
     * happening in theory, but a carry here costs nothing to handle. */
    for (uint32_t i = count; i-- > 0;) {
        if (digits[i] <= '9') break;
        digits[i] = '0';
        if (i == 0) {
            for (uint32_t j = count; j > 0; j--) digits[j] = digits[j - 1];
            digits[0] = '1';
            count++;
            k++;
        } else {
            digits[i - 1]++;
        }
    }
    while (count > 1 && digits[count - 1] == '0') count--;
    *point = k;
    return count;
}

static uint32_t put_text(char *out, uint32_t at, const char *text) {
    while (*text) out[at++] = *text++;
    return at;
}

/* Lays 0.digits x 10^point out as ECMAScript's Number::toString does. */
static uint32_t layout(char *out, bool negative, const char *digits, uint32_t count, int32_t point) {
    uint32_t at = 0;
    if (negative) out[at++] = '-';
    const int32_t n = point;
    const int32_t k = (int32_t)count;
    if (k <= n && n <= 21) {
        for (int32_t i = 0; i < k; i++) out[at++] = digits[i];
        for (int32_t i = k; i < n; i++) out[at++] = '0';
    } else if (0 < n && n <= 21) {
        for (int32_t i = 0; i < n; i++) out[at++] = digits[i];
        out[at++] = '.';
        for (int32_t i = n; i < k; i++) out[at++] = digits[i];
    } else if (-6 < n && n <= 0) {
        out[at++] = '0';
        out[at++] = '.';
        for (int32_t i = n; i < 0; i++) out[at++] = '0';
        for (int32_t i = 0; i < k; i++) out[at++] = digits[i];
    } else {
        out[at++] = digits[0];
        if (k > 1) {
            out[at++] = '.';
            for (int32_t i = 1; i < k; i++) out[at++] = digits[i];
        }
        out[at++] = 'e';
        int32_t power = n - 1;
        out[at++] = power > 0 ? '+' : '-';
        if (power < 0) power = -power;
        at += rune_json_u64(out + at, (uint64_t)power);
    }
    return at;
}

static uint32_t format_float(char *out, bool negative, uint64_t mantissa, int32_t exponent, uint32_t precision,
                             int32_t min_exponent) {
    if (mantissa == 0) return put_text(out, 0, "0");
    char digits[24];
    int32_t point;
    const uint32_t count = shortest_digits(mantissa, exponent, precision, min_exponent, digits, sizeof digits, &point);
    return layout(out, negative, digits, count, point);
}

uint32_t rune_json_f32_bits(char *out, uint32_t bits) {
    const uint32_t biased = (bits >> 23) & 0xffu;
    const uint32_t fraction = bits & 0x7fffffu;
    if (biased == 0xffu) return put_text(out, 0, "null");
    const bool negative = (bits >> 31) != 0;
    if (biased == 0) return format_float(out, negative, fraction, -149, 24, -149);
    return format_float(out, negative, fraction | 0x800000u, (int32_t)biased - 150, 24, -149);
}

uint32_t rune_json_f64_bits(char *out, uint64_t bits) {
    const uint32_t biased = (uint32_t)(bits >> 52) & 0x7ffu;
    const uint64_t fraction = bits & 0xfffffffffffffull;
    if (biased == 0x7ffu) return put_text(out, 0, "null");
    const bool negative = (bits >> 63) != 0;
    if (biased == 0) return format_float(out, negative, fraction, -1074, 53, -1074);
    return format_float(out, negative, fraction | 0x10000000000000ull, (int32_t)biased - 1075, 53, -1074);
}

uint32_t rune_json_u64(char *out, uint64_t value) {
    /* Subtracting powers of ten avoids 64-bit division, a libgcc call on Arm. */
    static const uint64_t powers[20] = {
        10000000000000000000ull, 1000000000000000000ull, 100000000000000000ull, 10000000000000000ull,
        1000000000000000ull, 100000000000000ull, 10000000000000ull, 1000000000000ull, 100000000000ull,
        10000000000ull, 1000000000ull, 100000000ull, 10000000ull, 1000000ull, 100000ull, 10000ull,
        1000ull, 100ull, 10ull, 1ull,
    };
    uint32_t at = 0;
    for (uint32_t i = 0; i < 20; i++) {
        char digit = '0';
        while (value >= powers[i]) {
            value -= powers[i];
            digit++;
        }
        if (digit != '0' || at > 0 || i == 19) out[at++] = digit;
    }
    return at;
}

uint32_t rune_json_i64(char *out, int64_t value) {
    if (value >= 0) return rune_json_u64(out, (uint64_t)value);
    out[0] = '-';
    return 1 + rune_json_u64(out + 1, 0 - (uint64_t)value);
}

uint32_t rune_json_escape_byte(char *out, uint8_t byte) {
    static const char hex[] = "0123456789abcdef";
    char short_form = 0;
    switch (byte) {
    case '"': short_form = '"'; break;
    case '\\': short_form = '\\'; break;
    case 0x08: short_form = 'b'; break;
    case 0x0c: short_form = 'f'; break;
    case 0x0a: short_form = 'n'; break;
    case 0x0d: short_form = 'r'; break;
    case 0x09: short_form = 't'; break;
    default: break;
    }
    if (short_form) {
        out[0] = '\\';
        out[1] = short_form;
        return 2;
    }
    if (byte < 0x20) {
        out[0] = '\\';
        out[1] = 'u';
        out[2] = '0';
        out[3] = '0';
        out[4] = hex[byte >> 4];
        out[5] = hex[byte & 0xf];
        return 6;
    }
    out[0] = (char)byte;
    return 1;
}
