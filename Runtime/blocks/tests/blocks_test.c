/*
 * Unit tests for the processing blocks. Expected values for noise filtering
 * are the original Rune block's published test vectors; the rest are worked
 * out by hand or against libm.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "rune.h"

static char last_log[256];
void rune_log_write(uint32_t level, const char *message, uint32_t length) {
    (void)level;
    if (length > sizeof last_log - 1) length = sizeof last_log - 1;
    memcpy(last_log, message, length);
    last_log[length] = 0;
}

#include "blocks/argmax.h"
#include "blocks/audio_float_conversion.h"
#include "blocks/fft.h"
#include "blocks/image_normalization.h"
#include "blocks/label.h"
#include "blocks/modulo.h"
#include "blocks/most_confident_indices.h"
#include "blocks/noise_filtering.h"
#include "blocks/normalize.h"
#include "blocks/softmax.h"

static int failures;
#define EXPECT(condition, ...) do { if (!(condition)) { failures++; printf("%s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

/* An independent build of PCAN's gain table, the way TFLM's pcan_gain_control_util.c does it. */
static int16_t gain_at(uint32_t x) {
    float scaled = (float)x / (float)(1 << 11);
    float gain = (float)(1 << 21) * powf(scaled + 80.0f, -0.95f);
    if (gain > 32767.0f) gain = 32767.0f;
    return (int16_t)(gain + 0.5f);
}

static void build_gain_table(int16_t *lut) {
    memset(lut, 0, 125 * sizeof *lut);
    lut[0] = gain_at(0);
    lut[1] = gain_at(1);
    for (uint32_t interval = 2; interval <= 32; interval++) {
        uint32_t x0 = 1u << (interval - 1), x1 = x0 + (x0 >> 1), x2 = interval == 32 ? x0 + (x0 - 1) : 2 * x0;
        int16_t y0 = gain_at(x0), y1 = gain_at(x1), y2 = gain_at(x2);
        int16_t d1 = (int16_t)(y1 - y0), d2 = (int16_t)(y2 - y0);
        int16_t a1 = (int16_t)(4 * d1 - d2);
        lut[4 * interval - 6] = y0;
        lut[4 * interval - 5] = a1;
        lut[4 * interval - 4] = (int16_t)(d2 - a1);
    }
}

static void test_noise_filtering(void) {
    int16_t lut[125];
    build_gain_table(lut);
    static const int16_t lut_start[] = {32636, 32636, 32635, 0, 0, 0, 32635, 1, -2, 0, 32634, 1, -2, 0};
    EXPECT(memcmp(lut, lut_start, sizeof lut_start) == 0, "gain table starts differently");

    uint32_t estimate[2] = {0, 0};
    double energy[2];
    rune_noise_filtering nf = {10, 409, 983, 819, 10, lut, estimate, energy};
    uint32_t reduced0 = rune_noise_reduce(&nf, 0, 247311), reduced1 = rune_noise_reduce(&nf, 1, 508620);
    EXPECT(estimate[0] == 6321887 && estimate[1] == 31248341, "estimate %u %u", estimate[0], estimate[1]);
    EXPECT(reduced0 == 241137 && reduced1 == 478104, "reduced %u %u", reduced0, reduced1);
    EXPECT(rune_pcan_gain(lut, 6321887) == 990, "gain %d", rune_pcan_gain(lut, 6321887));
    EXPECT(rune_pcan_gain(lut, 31248341) == 219, "gain %d", rune_pcan_gain(lut, 31248341));
    uint32_t pcan0 = rune_pcan_shrink((uint32_t)(((uint64_t)241137 * 990) >> 10));
    uint32_t pcan1 = rune_pcan_shrink((uint32_t)(((uint64_t)478104 * 219) >> 10));
    EXPECT(pcan0 == 3578 && pcan1 == 1533, "pcan %u %u", pcan0, pcan1);

    /* The whole block: the loudest channel maps to 127, the quietest to -128. */
    uint32_t fresh[4] = {0};
    double scratch[4];
    rune_noise_filtering block = {10, 409, 983, 819, 10, lut, fresh, scratch};
    uint32_t input[4] = {247311, 508620, 0, 1000};
    int8_t output[4];
    EXPECT(rune_block_noise_filtering(&block, input, output, 4) == RUNE_OK, "status");
    EXPECT(output[0] == 127 && output[2] == -128, "scaled %d %d %d %d", output[0], output[1], output[2], output[3]);
}

static void test_fft(void) {
    /* A 1 kHz tone: every column's energy peaks in the filter around 1 kHz. */
    enum { n = 16000 };
    static int16_t audio[n];
    for (int i = 0; i < n; i++) audio[i] = (int16_t)(10000.0 * sin(2.0 * M_PI * 1000.0 * i / 16000.0));
    uint32_t offsets[2] = {0, 8000};
    uint16_t bins[4] = {0, 16, 32, 48}; /* FFT bin 32 of 512 at 16 kHz is 1 kHz */
    uint16_t first[2] = {0, 2}, taps[2] = {2, 2};
    double coefficients[4] = {1.0, 1.0, 1.0, 1.0};
    float re[512], im[512], window[512], cosines[256], sines[256], power[256];
    double mel[4];
    uint32_t initialized = 0;
    rune_fft_plan plan = {n, 480, 512, 9, 2, offsets, 4, bins, 2, first, taps, coefficients};
    rune_fft_scratch scratch = {re, im, window, cosines, sines, power, mel, &initialized};
    uint32_t output[4];
    EXPECT(rune_block_fft(&plan, &scratch, audio, output) == RUNE_OK, "status");
    /* Filter 1 (bins 32 and 48) holds the tone; filter 0 (bins 0 and 16) almost nothing. */
    EXPECT(output[1] > 60000 && output[3] > 60000, "tone filters %u %u", output[1], output[3]);
    EXPECT(output[0] < 100 && output[2] < 100, "quiet filters %u %u", output[0], output[2]);
    /* Against a direct DFT of bin 32 of the first window. */
    double sr = 0, si = 0;
    for (int i = 0; i < 480; i++) {
        double w = 0.5 * (1 - cos(2 * M_PI * i / 511.0));
        sr += audio[i] * w * cos(-2 * M_PI * 32 * i / 512.0);
        si += audio[i] * w * sin(-2 * M_PI * 32 * i / 512.0);
    }
    double direct = sr * sr + si * si;
    rune_fft_power(&plan, &scratch, audio, 0);
    EXPECT(fabs(power[32] - direct) / direct < 1e-4, "power %g vs %g", power[32], direct);
}

static void test_small_blocks(void) {
    float angles[4] = {370.0f, -10.0f, 720.0f, 359.5f}, wrapped[4];
    rune_block_modulo(RUNE_F32, angles, wrapped, 4, 360.0f);
    EXPECT(wrapped[0] == 10.0f && wrapped[1] == -10.0f && wrapped[2] == 0.0f && wrapped[3] == 359.5f,
           "modulo %g %g %g %g", wrapped[0], wrapped[1], wrapped[2], wrapped[3]);
    for (int i = 0; i < 1000; i++) {
        float x = (float)(i * 7.31 - 3000), y = (float)(i % 13 + 0.7);
        EXPECT(rune_fmodf(x, y) == fmodf(x, y), "fmodf(%g, %g)", x, y);
    }

    float scores[5] = {0.1f, 0.7f, 0.7f, NAN, 0.2f};
    uint32_t top[3];
    EXPECT(rune_block_most_confident_indices(RUNE_F32, scores, 5, top, 3) == RUNE_OK, "status");
    EXPECT(top[0] == 1 && top[1] == 2 && top[2] == 4, "top %u %u %u", top[0], top[1], top[2]);
    EXPECT(rune_block_most_confident_indices(RUNE_F32, scores, 5, top, 6) == RUNE_ERROR_BLOCK, "too many");

    int8_t quantized[3] = {-128, 0, 127};
    uint32_t best;
    rune_block_most_confident_indices(RUNE_I8, quantized, 3, &best, 1);
    EXPECT(best == 2, "best %u", best);

    float values[4] = {2.0f, 4.0f, 6.0f, 10.0f}, normalized[4];
    rune_block_normalize_f32(values, normalized, 4);
    EXPECT(normalized[0] == 0.0f && normalized[1] == 0.25f && normalized[3] == 1.0f, "normalize");
    float constant[2] = {3.0f, 3.0f}, same[2];
    rune_block_normalize_f32(constant, same, 2);
    EXPECT(same[0] == 3.0f && same[1] == 3.0f, "constant tensors pass through");

    rune_string labels[3] = {{"up", 2}, {"down", 4}, {"left", 4}};
    uint32_t indices[2] = {2, 0};
    rune_string named[2];
    EXPECT(rune_block_label(RUNE_U32, indices, 2, labels, 3, named) == RUNE_OK, "label status");
    EXPECT(named[0].length == 4 && memcmp(named[0].data, "left", 4) == 0 && named[1].data == labels[0].data, "labels");
    uint32_t bad = 3;
    EXPECT(rune_block_label(RUNE_U32, &bad, 1, labels, 3, named) == RUNE_ERROR_BLOCK, "index past the labels");
    EXPECT(strstr(last_log, "label") != NULL, "the failure is logged: %s", last_log);

    float logits[3] = {1.0f, 2.0f, 3.0f}, probabilities[3];
    rune_block_softmax(logits, probabilities, 3);
    EXPECT(fabsf(probabilities[2] - 0.66524096f) < 1e-6f && fabsf(probabilities[0] + probabilities[1] + probabilities[2] - 1) < 1e-6f,
           "softmax %g", probabilities[2]);
    uint32_t index;
    float ties[4] = {1.0f, 5.0f, 5.0f, 2.0f};
    rune_block_argmax(ties, 4, &index);
    EXPECT(index == 1, "argmax %u", index);

    uint8_t pixels[3] = {0, 51, 255};
    float unit[3];
    rune_block_image_normalization(RUNE_U8, pixels, unit, 3);
    EXPECT(unit[0] == 0.0f && unit[1] == 0.2f && unit[2] == 1.0f, "image normalization %g", unit[1]);

    int16_t samples[3] = {-32768, 0, 32767};
    float audio[3];
    rune_block_audio_float_conversion(samples, audio, 3);
    EXPECT(audio[0] == -1.0f && audio[1] == 0.0f && audio[2] == 1.0f, "audio %g", audio[0]);
}

int main(void) {
    test_noise_filtering();
    test_fft();
    test_small_blocks();
    if (failures) printf("%d failures\n", failures);
    else printf("all block tests passed\n");
    return failures != 0;
}
