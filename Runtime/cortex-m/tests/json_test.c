/*
 * Checks cortex-m/json.c against the host's printf and strtof/strtod: every
 * float prints the shortest spelling that reads back to the same bits, laid
 * out as ECMAScript does, and integers, specials and escapes are exact.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "cortex-m/json.c"

static int failures = 0;

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static uint32_t f32_bits(float value) { uint32_t bits; memcpy(&bits, &value, 4); return bits; }
static uint64_t f64_bits(double value) { uint64_t bits; memcpy(&bits, &value, 8); return bits; }

static const char *ours_f32(uint32_t bits) {
    static char text[RUNE_JSON_NUMBER_MAX + 1];
    text[rune_json_f32_bits(text, bits)] = 0;
    return text;
}

static const char *ours_f64(uint64_t bits) {
    static char text[RUNE_JSON_NUMBER_MAX + 1];
    text[rune_json_f64_bits(text, bits)] = 0;
    return text;
}

/* Re-lays printf's "d.ddde+XX" out as ECMAScript Number::toString would. */
static void js_layout(const char *scientific, char *out) {
    char digits[40];
    int count = 0, negative = 0;
    const char *p = scientific;
    if (*p == '-') { negative = 1; p++; }
    for (; *p && *p != 'e'; p++) if (*p != '.') digits[count++] = *p;
    int exponent = atoi(p + 1);
    while (count > 1 && digits[count - 1] == '0') count--;
    digits[count] = 0;
    int n = exponent + 1;
    char *o = out;
    if (negative) *o++ = '-';
    if (count == 1 && digits[0] == '0') { strcpy(out, "0"); return; }
    if (count <= n && n <= 21) {
        o += sprintf(o, "%s", digits);
        for (int i = count; i < n; i++) *o++ = '0';
        *o = 0;
    } else if (n > 0 && n <= 21) {
        sprintf(o, "%.*s.%s", n, digits, digits + n);
    } else if (n > -6 && n <= 0) {
        o += sprintf(o, "0.");
        for (int i = n; i < 0; i++) *o++ = '0';
        sprintf(o, "%s", digits);
    } else {
        if (count > 1) o += sprintf(o, "%c.%s", digits[0], digits + 1);
        else *o++ = digits[0];
        sprintf(o, "e%c%d", n - 1 > 0 ? '+' : '-', abs(n - 1));
    }
}

static int significant_digits(const char *text) {
    int count = 0, started = 0, trailing = 0;
    for (const char *p = text; *p && *p != 'e'; p++) {
        if (*p < '0' || *p > '9') continue;
        if (*p != '0') started = 1;
        if (!started) continue;
        count++;
        trailing = (*p == '0') ? trailing + 1 : 0;
    }
    return count - trailing;
}

/* The printf way: the first precision whose correctly rounded digits read back. */
static void reference_f32(float value, char *out) {
    char text[64];
    for (int precision = 1; precision <= 9; precision++) {
        snprintf(text, sizeof text, "%.*e", precision - 1, (double)value);
        if (strtof(text, NULL) == value) break;
    }
    js_layout(text, out);
}

static void reference_f64(double value, char *out) {
    char text[64];
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(text, sizeof text, "%.*e", precision - 1, value);
        if (strtod(text, NULL) == value) break;
    }
    js_layout(text, out);
}

/* Ours must read back exactly and be no longer than the printf answer; at
 * equal length it must be that answer. printf rounds to the nearest p-digit
 * decimal, which can miss a p-digit one on the wide side of a power of two,
 * so ours may be shorter. */
static int shorter_f32 = 0, shorter_f64 = 0;

static void check_f32(uint32_t bits) {
    float value;
    memcpy(&value, &bits, 4);
    const char *ours = ours_f32(bits);
    if (!isfinite(value)) {
        if (strcmp(ours, "null") != 0) { printf("f32 %08x: %s, expected null\n", bits, ours); failures++; }
        return;
    }
    char reference[64];
    reference_f32(value, reference);
    if (value == 0) strcpy(reference, "0");
    if (strcmp(ours, reference) == 0) return;
    if (strtof(ours, NULL) == value && significant_digits(ours) < significant_digits(reference)) {
        shorter_f32++;
        return;
    }
    if (failures < 20) printf("f32 %08x (%.9g): ours %s, reference %s\n", bits, value, ours, reference);
    failures++;
}

static void check_f64(uint64_t bits) {
    double value;
    memcpy(&value, &bits, 8);
    const char *ours = ours_f64(bits);
    if (!isfinite(value)) {
        if (strcmp(ours, "null") != 0) { printf("f64 %016llx: %s, expected null\n", (unsigned long long)bits, ours); failures++; }
        return;
    }
    char reference[64];
    reference_f64(value, reference);
    if (value == 0) strcpy(reference, "0");
    if (strcmp(ours, reference) == 0) return;
    if (strtod(ours, NULL) == value && significant_digits(ours) < significant_digits(reference)) {
        shorter_f64++;
        return;
    }
    if (failures < 20) printf("f64 %016llx (%.17g): ours %s, reference %s\n", (unsigned long long)bits, value, ours, reference);
    failures++;
}

static void expect(const char *what, const char *ours, const char *expected) {
    if (strcmp(ours, expected) != 0) {
        printf("%s: got %s, expected %s\n", what, ours, expected);
        failures++;
    }
}

static void expect_f32(float value, const char *expected) { expect("f32", ours_f32(f32_bits(value)), expected); }
static void expect_f64(double value, const char *expected) { expect("f64", ours_f64(f64_bits(value)), expected); }

static void check_integers(void) {
    static const uint64_t unsigned_values[] = {0, 1, 9, 10, 99, 100, 255, 256, 65535, 65536, 4294967295ull,
                                               4294967296ull, 9999999999999999999ull, 10000000000000000000ull,
                                               18446744073709551615ull};
    static const int64_t signed_values[] = {0, -1, 1, -128, 127, -32768, 32767, INT32_MIN, INT32_MAX,
                                            -10, -9223372036854775807ll, INT64_MIN, INT64_MAX};
    char ours[RUNE_JSON_NUMBER_MAX + 1], reference[64];
    for (size_t i = 0; i < sizeof unsigned_values / sizeof unsigned_values[0]; i++) {
        ours[rune_json_u64(ours, unsigned_values[i])] = 0;
        snprintf(reference, sizeof reference, "%llu", (unsigned long long)unsigned_values[i]);
        expect("u64", ours, reference);
    }
    for (size_t i = 0; i < sizeof signed_values / sizeof signed_values[0]; i++) {
        ours[rune_json_i64(ours, signed_values[i])] = 0;
        snprintf(reference, sizeof reference, "%lld", (long long)signed_values[i]);
        expect("i64", ours, reference);
    }
    for (int i = 0; i < 100000; i++) {
        const uint64_t value = next() >> (next() % 64);
        ours[rune_json_u64(ours, value)] = 0;
        snprintf(reference, sizeof reference, "%llu", (unsigned long long)value);
        expect("u64", ours, reference);
        ours[rune_json_i64(ours, (int64_t)value)] = 0;
        snprintf(reference, sizeof reference, "%lld", (long long)(int64_t)value);
        expect("i64", ours, reference);
    }
}

static void check_escapes(void) {
    for (int byte = 0; byte < 256; byte++) {
        char ours[8], expected[8];
        ours[rune_json_escape_byte(ours, (uint8_t)byte)] = 0;
        switch (byte) {
        case '"': strcpy(expected, "\\\""); break;
        case '\\': strcpy(expected, "\\\\"); break;
        case '\b': strcpy(expected, "\\b"); break;
        case '\f': strcpy(expected, "\\f"); break;
        case '\n': strcpy(expected, "\\n"); break;
        case '\r': strcpy(expected, "\\r"); break;
        case '\t': strcpy(expected, "\\t"); break;
        default:
            if (byte < 0x20) snprintf(expected, sizeof expected, "\\u%04x", byte);
            else { expected[0] = (char)byte; expected[1] = 0; }
        }
        if (byte == 0 ? strcmp(ours, "\\u0000") != 0 : strcmp(ours, expected) != 0) {
            printf("escape of byte %d: got '%s'\n", byte, ours);
            failures++;
        }
    }
}

int main(void) {
    /* The spellings the SERIAL format prescribes (Fixtures/runes/all-element-types). */
    expect_f32(0.0f, "0");
    expect_f32(-0.0f, "0");
    expect_f32(1.0f, "1");
    expect_f32(3.0f, "3");
    expect_f32(0.5f, "0.5");
    expect_f32(0.84147096f, "0.84147096");
    expect_f32(1e-7f, "1e-7");
    expect_f32(1.5e21f, "1.5e+21");
    expect_f32(3.4028235e38f, "3.4028235e+38");
    expect_f32(1e-45f, "1e-45");
    expect_f32(NAN, "null");
    expect_f32(-NAN, "null");
    expect_f32(INFINITY, "null");
    expect_f32(-INFINITY, "null");
    expect_f32(-123456.79f, "-123456.79");
    expect_f32(100.0f, "100");
    expect_f32(0.000001f, "0.000001");
    expect_f32(1e21f, "1e+21");
    expect_f32(1e20f, "100000000000000000000");
    expect_f32(0.1f, "0.1");
    expect_f32(16777216.0f, "16777216");
    expect_f32(1.1754944e-38f, "1.1754944e-38");
    expect_f64(0.1, "0.1");
    expect_f64(-2.5, "-2.5");
    expect_f64(1e21, "1e+21");
    expect_f64(1e-7, "1e-7");
    expect_f64(5e-324, "5e-324");
    expect_f64(123456789012345680000.0, "123456789012345680000");
    expect_f64(-0.0, "0");
    expect_f64(NAN, "null");
    expect_f64(INFINITY, "null");
    expect_f64(1.7976931348623157e308, "1.7976931348623157e+308");
    expect_f64(2.2250738585072014e-308, "2.2250738585072014e-308");
    expect_f64(0.30000000000000004, "0.30000000000000004");
    expect_f64(9007199254740993.0, "9007199254740992");

    /* Every power of two and its neighbours, where the gaps change size. */
    for (uint32_t exponent = 0; exponent < 256; exponent++) {
        for (int delta = -2; delta <= 2; delta++) {
            check_f32((exponent << 23) + (uint32_t)delta);
            check_f32(0x80000000u | ((exponent << 23) + (uint32_t)delta));
        }
    }
    for (uint64_t exponent = 0; exponent < 2048; exponent++) {
        for (int delta = -2; delta <= 2; delta++) check_f64((exponent << 52) + (uint64_t)(int64_t)delta);
    }
    for (uint32_t bits = 0; bits < 5000; bits++) check_f32(bits);
    for (int i = -2000; i <= 2000; i++) {
        check_f32(f32_bits((float)i / 100.0f));
        check_f64(f64_bits((double)i / 1000.0));
    }
    for (int i = 0; i < 300000; i++) check_f32((uint32_t)next());
    for (int i = 0; i < 100000; i++) check_f64(next());
    check_integers();
    check_escapes();

    printf("%d f32 and %d f64 spellings shorter than printf's nearest-digit answer\n", shorter_f32, shorter_f64);
    printf(failures ? "FAIL (%d)\n" : "ok\n", failures);
    return failures != 0;
}
