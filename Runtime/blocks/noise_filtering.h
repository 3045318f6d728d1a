/*
 * noise_filtering - the micro_speech front end's noise reduction and PCAN
 * (per-channel amplitude normalisation) gain control, then log scaling into
 * int8 (the original Rune's `noise-filtering` block, U32[n] -> I8[n]).
 *
 * Noise reduction keeps a running estimate of each channel's noise floor
 * (state that lives across calls, as in the original) and subtracts it,
 * leaving at least `min_signal_remaining` of the signal. PCAN divides each
 * channel by a power of its noise estimate through a piecewise-quadratic
 * lookup table (`gain_lut`, 125 entries, computed by runec at compile time)
 * and compresses the result. Finally log2(x + 1) is scaled so the smallest
 * value becomes -128 and the largest 127.
 *
 * All fixed-point arithmetic wraps exactly where the original's did.
 */
#ifndef RUNE_BLOCKS_NOISE_FILTERING_H
#define RUNE_BLOCKS_NOISE_FILTERING_H

#include "blocks/elements.h"

#define RUNE_NOISE_REDUCTION_BITS 14
#define RUNE_PCAN_SNR_BITS 12
#define RUNE_PCAN_OUTPUT_BITS 6

typedef struct rune_noise_filtering {
    uint32_t smoothing_bits;
    /* Fractions scaled by 2^14. */
    uint32_t even_smoothing;
    uint32_t odd_smoothing;
    uint32_t min_signal_remaining;
    uint32_t snr_shift;
    const int16_t *gain_lut;
    /* State and scratch, `count` elements each. */
    uint32_t *estimate;
    double *energy;
} rune_noise_filtering;

/* Subtracts the noise estimate from one channel and updates the estimate. */
static inline uint32_t rune_noise_reduce(const rune_noise_filtering *nf, uint32_t i, uint32_t value) {
    uint64_t smoothing = (i % 2 == 0) ? nf->even_smoothing : nf->odd_smoothing;
    uint64_t scaled = (uint64_t)(uint32_t)(value << nf->smoothing_bits);
    uint64_t estimate = (scaled * smoothing + (uint64_t)nf->estimate[i] * (1u << RUNE_NOISE_REDUCTION_BITS))
                        >> RUNE_NOISE_REDUCTION_BITS;
    nf->estimate[i] = (uint32_t)estimate;
    if (estimate > scaled) estimate = scaled;
    uint64_t floor = ((uint64_t)value * nf->min_signal_remaining) >> RUNE_NOISE_REDUCTION_BITS;
    uint64_t subtracted = (scaled - estimate) >> nf->smoothing_bits;
    return (uint32_t)(floor > subtracted ? floor : subtracted);
}

/* The gain for a noise estimate: the lookup table's quadratic for x's octave. */
static inline int16_t rune_pcan_gain(const int16_t *lut, uint32_t x) {
    if (x <= 2) return lut[x];
    int32_t interval = 32 - __builtin_clz(x);
    uint32_t offset = (uint32_t)(4 * interval - 6);
    uint32_t shifted = interval < 11 ? x << (11 - interval) : x >> (interval - 11);
    int32_t frac = (int16_t)(shifted & 0x3ff);
    int32_t result = ((int32_t)lut[offset + 2] * frac) >> 5;
    result = (int32_t)((uint32_t)result + ((uint32_t)(int32_t)lut[offset + 1] << 5));
    result = (int32_t)((uint32_t)result * (uint32_t)frac);
    result = (result + (1 << 14)) >> 15;
    result += lut[offset];
    return (int16_t)result;
}

static inline uint32_t rune_pcan_shrink(uint32_t snr) {
    if (snr < (2u << RUNE_PCAN_SNR_BITS))
        return (snr * snr) >> (2 + 2 * RUNE_PCAN_SNR_BITS - RUNE_PCAN_OUTPUT_BITS);
    return (snr >> (RUNE_PCAN_SNR_BITS - RUNE_PCAN_OUTPUT_BITS)) - (1u << RUNE_PCAN_OUTPUT_BITS);
}

static inline int32_t rune_block_noise_filtering(const rune_noise_filtering *nf, const uint32_t *input,
                                                 int8_t *output, uint32_t count) {
    if (count == 0) return RUNE_OK;
    double lo = 0.0, hi = 0.0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t cleaned = rune_noise_reduce(nf, i, input[i]);
        uint32_t gain = (uint32_t)(int32_t)rune_pcan_gain(nf->gain_lut, nf->estimate[i]);
        uint32_t snr = (uint32_t)(((uint64_t)cleaned * gain) >> nf->snr_shift);
        double energy = rune_log2((double)rune_pcan_shrink(snr) + 1.0);
        nf->energy[i] = energy;
        if (i == 0 || energy < lo) lo = energy;
        if (i == 0 || energy > hi) hi = energy;
    }
    for (uint32_t i = 0; i < count; i++)
        output[i] = rune_saturate_i8((255.0 * (nf->energy[i] - lo) / (hi - lo)) - 128.0);
    return RUNE_OK;
}

#endif /* RUNE_BLOCKS_NOISE_FILTERING_H */
