/* Compares rune_math.h against the host's libm: every float result within 1 ulp. */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include "../rune_math.h"

static uint32_t state = 12345;
static uint32_t next(void) { state ^= state << 13; state ^= state >> 17; state ^= state << 5; return state; }

static int64_t ulps(float a, float b) {
    if (isnan(a) && isnan(b)) return 0;
    if (a == b) return 0;
    int32_t ia, ib; memcpy(&ia, &a, 4); memcpy(&ib, &b, 4);
    if (ia < 0) ia = INT32_MIN - ia;
    if (ib < 0) ib = INT32_MIN - ib;
    int64_t d = (int64_t)ia - ib; return d < 0 ? -d : d;
}

#define CHECK(name, ours, ref, lo, hi) do { \
    int64_t worst = 0; float worst_x = 0; \
    for (int i = 0; i < 2000000; i++) { \
        float x = (i < 1000000) ? lo + (hi - lo) * (next() / 4294967296.0f) : ({ uint32_t b = next(); float f; memcpy(&f, &b, 4); f; }); \
        if (isnan(x) || x < lo || x > hi) continue; \
        int64_t u = ulps(ours(x), (float)ref((double)x)); \
        if (u > worst) { worst = u; worst_x = x; } \
    } \
    printf("%-6s max %lld ulp (at %.9g)\n", name, (long long)worst, worst_x); \
    if (worst > 1) failures++; \
} while (0)

int main(void) {
    int failures = 0;
    CHECK("expf", rune_expf, exp, -110.0f, 100.0f);
    CHECK("logf", rune_logf, log, 0.0f, 3.4e38f);
    CHECK("tanhf", rune_tanhf, tanh, -30.0f, 30.0f);
    CHECK("sinf", rune_sinf, sin, -10000.0f, 10000.0f);
    CHECK("cosf", rune_cosf, cos, -10000.0f, 10000.0f);
    for (int i = -60; i <= 60; i++) {
        float x = i * 0.37f;
        if (rune_roundf(x) != roundf(x)) { printf("roundf(%g)\n", x); failures++; }
    }
    if (rune_roundf(0.49999997f) != 0.0f || rune_roundf(-2.5f) != -3.0f) { printf("roundf edge\n"); failures++; }
    if (rune_powf(2.0f, 10.0f) != 1024.0f) { printf("powf\n"); failures++; }
    printf(failures ? "FAIL\n" : "ok\n");
    return failures != 0;
}
