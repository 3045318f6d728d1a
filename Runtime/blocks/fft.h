/*
 * fft - the short-time Fourier transform and mel filterbank that turn one
 * second of 16-bit audio into the 49 x 40 spectrogram the micro_speech model
 * was trained on (the original Rune's `fft` block, I16[16000] -> U32[1960]).
 *
 * For each of `column_count` windows of `window_length` samples, starting at
 * `column_offsets[x]` (samples past the input read as zero): multiply by a
 * Hann window of the FFT's length, take a radix-2 FFT, and keep the power
 * |X[k]|^2. Row r of the power spectrum reads FFT bin `row_bins[r]`. Each mel
 * filter f sums `filter_taps[f]` rows from `filter_first[f]`, weighted by
 * `coefficients` (consecutive per filter, in double precision), and takes the
 * square root. Finally the whole spectrogram is scaled so its smallest value
 * becomes 0 and its largest 65536, column-major: output[x * filters + f].
 *
 * runec computes every table that depends only on the arguments (window
 * offsets, row bins, the filterbank) at compile time; the twiddle factors and
 * the window are computed here once, on the first call, so they cost no
 * space in the rune's data.
 */
#ifndef RUNE_BLOCKS_FFT_H
#define RUNE_BLOCKS_FFT_H

#include "blocks/elements.h"

#define RUNE_FFT_PI 3.14159265358979323846f

typedef struct rune_fft_plan {
    uint32_t sample_count;
    uint32_t window_length;
    /* A power of two no smaller than window_length. */
    uint32_t fft_length;
    uint32_t fft_bits;
    uint32_t column_count;
    const uint32_t *column_offsets;
    uint32_t row_count;
    const uint16_t *row_bins;
    uint32_t filter_count;
    const uint16_t *filter_first;
    const uint16_t *filter_taps;
    const double *coefficients;
} rune_fft_plan;

/* Scratch the generated code allocates statically, sized by the plan. */
typedef struct rune_fft_scratch {
    float *real;          /* fft_length */
    float *imaginary;     /* fft_length */
    float *window;        /* fft_length */
    float *cosines;       /* fft_length / 2: cos(2 pi k / fft_length) */
    float *sines;         /* fft_length / 2: sin(-2 pi k / fft_length) */
    float *power;         /* fft_length / 2 */
    double *mel;          /* column_count * filter_count */
    uint32_t *initialized;
} rune_fft_scratch;

/*
 * The low `bits` bits of `value` in reverse order (bits is 1...31). Swapping
 * halves, then quarters, ... is what LLVM recognizes as a bit reversal (one
 * RBIT on Cortex-M); a loop over the bits instead was vectorized, per index,
 * into a dozen vector instructions by the AOT engine.
 */
static inline uint32_t rune_fft_reverse_bits(uint32_t value, uint32_t bits) {
    value = ((value >> 1) & 0x55555555u) | ((value & 0x55555555u) << 1);
    value = ((value >> 2) & 0x33333333u) | ((value & 0x33333333u) << 2);
    value = ((value >> 4) & 0x0f0f0f0fu) | ((value & 0x0f0f0f0fu) << 4);
    value = ((value >> 8) & 0x00ff00ffu) | ((value & 0x00ff00ffu) << 8);
    value = (value >> 16) | (value << 16);
    return value >> (32u - bits);
}

static inline void rune_fft_prepare(const rune_fft_plan *plan, const rune_fft_scratch *scratch) {
    uint32_t n = plan->fft_length;
    for (uint32_t i = 0; i < n; i++)
        scratch->window[i] = 0.5f * (1.0f - rune_cosf((2.0f * RUNE_FFT_PI * (float)i) / ((float)n - 1.0f)));
    for (uint32_t k = 0; k < n / 2; k++) {
        float angle = 2.0f * RUNE_FFT_PI * -(float)k / (float)n;
        scratch->cosines[k] = rune_cosf(angle);
        scratch->sines[k] = rune_sinf(angle);
    }
    *scratch->initialized = 1;
}

/* The power spectrum of one window, bins 0 ..< fft_length / 2. */
static inline void rune_fft_power(const rune_fft_plan *plan, const rune_fft_scratch *scratch,
                                  const int16_t *input, uint32_t offset) {
    uint32_t n = plan->fft_length;
    float *re = scratch->real, *im = scratch->imaginary;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t at = offset + i;
        float sample = (i < plan->window_length && at < plan->sample_count) ? (float)input[at] : 0.0f;
        uint32_t j = rune_fft_reverse_bits(i, plan->fft_bits);
        re[j] = sample * scratch->window[i];
        im[j] = 0.0f;
    }
    for (uint32_t size = 2; size <= n; size *= 2) {
        uint32_t half = size / 2, stride = n / size;
        for (uint32_t start = 0; start < n; start += size) {
            for (uint32_t k = 0; k < half; k++) {
                float wr = scratch->cosines[k * stride], wi = scratch->sines[k * stride];
                uint32_t a = start + k, b = a + half;
                float tr = wr * re[b] - wi * im[b];
                float ti = wr * im[b] + wi * re[b];
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] = re[a] + tr;
                im[a] = im[a] + ti;
            }
        }
    }
    for (uint32_t k = 0; k < n / 2; k++) scratch->power[k] = re[k] * re[k] + im[k] * im[k];
}

static inline int32_t rune_block_fft(const rune_fft_plan *plan, const rune_fft_scratch *scratch,
                                     const int16_t *input, uint32_t *output) {
    if (!*scratch->initialized) rune_fft_prepare(plan, scratch);
    uint32_t filters = plan->filter_count;
    for (uint32_t x = 0; x < plan->column_count; x++) {
        rune_fft_power(plan, scratch, input, plan->column_offsets[x]);
        const double *coefficient = plan->coefficients;
        for (uint32_t f = 0; f < filters; f++) {
            double sum = 0.0;
            for (uint32_t t = 0; t < plan->filter_taps[f]; t++)
                sum += coefficient[t] * (double)scratch->power[plan->row_bins[plan->filter_first[f] + t]];
            coefficient += plan->filter_taps[f];
            scratch->mel[x * filters + f] = rune_sqrt(sum);
        }
    }
    uint32_t count = plan->column_count * filters;
    double lo = scratch->mel[0], hi = scratch->mel[0];
    for (uint32_t i = 1; i < count; i++) {
        if (scratch->mel[i] < lo) lo = scratch->mel[i];
        if (scratch->mel[i] > hi) hi = scratch->mel[i];
    }
    /* A silent clip has hi == lo: 0/0 is NaN, which saturates to 0 like the original. */
    for (uint32_t i = 0; i < count; i++)
        output[i] = rune_saturate_u32(65536.0 * (scratch->mel[i] - lo) / (hi - lo));
    return RUNE_OK;
}

#endif /* RUNE_BLOCKS_FFT_H */
