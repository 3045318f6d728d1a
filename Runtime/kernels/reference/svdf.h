/*
 * reference/svdf.h - SVDF (singular value decomposition filter) with int8 input and
 * weights, an int8 or int16 activation state that persists across calls, as
 * TFLite Micro's reference computes it.
 */
#ifndef RUNE_KERNELS_REFERENCE_SVDF_H
#define RUNE_KERNELS_REFERENCE_SVDF_H

#include "kernels/common.h"

typedef struct rune_svdf_params {
    int32_t batches, input_size, filters, rank, units, memory;
    int32_t input_zero_point, state_zero_point, output_zero_point;
    int32_t multiplier1, shift1; /* input x feature weights -> state */
    int32_t multiplier2, shift2; /* state x time weights -> output */
    int32_t state_min, state_max;
    /* Optional (NULL: worked out each call) and only for an int8 state: -input_zero_point times
     * each filter's feature-weight sum, then -state_zero_point times each filter's time-weight
     * sum, 2 x filters values runec computes at compile time. The reference kernel ignores them. */
    const int32_t *offset_sums;
} rune_svdf_params;

/* T is the state's type, W the time weights' type. `scratch` holds batches * filters
 * + batches * units int32 values. */
#define RUNE_DEFINE_SVDF(suffix, T, W)                                                          \
    static void rune_svdf_##suffix(const rune_svdf_params *p, const int8_t *input,             \
                                   const int8_t *feature_weights, const W *time_weights,        \
                                   const int32_t *bias, T *state, int8_t *output, int32_t *scratch) { \
        const int32_t total = p->batches * p->filters * p->memory;                              \
        /* Shift the state left by one time step. */                                            \
        for (int32_t i = 0; i + 1 < total; i++) state[i] = state[i + 1];                        \
        /* New newest column: input x feature weights. */                                       \
        for (int32_t b = 0; b < p->batches; b++) {                                              \
            const int8_t *in = input + b * p->input_size;                                       \
            for (int32_t f = 0; f < p->filters; f++) {                                          \
                const int8_t *w = feature_weights + f * p->input_size;                          \
                int32_t dot = 0;                                                                \
                for (int32_t c = 0; c < p->input_size; c++) dot += (int32_t)w[c] * ((int32_t)in[c] - p->input_zero_point); \
                dot = rune_requantize(dot, p->multiplier1, p->shift1, 0, p->state_min, p->state_max); \
                state[(b * p->filters + f) * p->memory + p->memory - 1] = (T)(p->state_zero_point + dot); \
            }                                                                                   \
        }                                                                                       \
        int32_t *filtered = scratch;                                                            \
        int32_t *units = scratch + p->batches * p->filters;                                     \
        for (int32_t b = 0; b < p->batches; b++) {                                              \
            for (int32_t f = 0; f < p->filters; f++) {                                          \
                const W *tw = time_weights + f * p->memory;                                     \
                const T *s = state + (b * p->filters + f) * p->memory;                          \
                int32_t sum = 0;                                                                \
                for (int32_t m = 0; m < p->memory; m++) sum += (int32_t)tw[m] * ((int32_t)s[m] - p->state_zero_point); \
                filtered[b * p->filters + f] = sum;                                             \
            }                                                                                   \
        }                                                                                       \
        for (int32_t b = 0; b < p->batches; b++) {                                              \
            for (int32_t u = 0; u < p->units; u++) {                                            \
                int32_t sum = bias ? bias[u] : 0;                                               \
                for (int32_t r = 0; r < p->rank; r++) sum += filtered[b * p->filters + u * p->rank + r]; \
                units[b * p->units + u] = sum;                                                  \
            }                                                                                   \
        }                                                                                       \
        for (int32_t i = 0; i < p->batches * p->units; i++) {                                   \
            output[i] = (int8_t)rune_requantize(units[i], p->multiplier2, p->shift2,           \
                                                p->output_zero_point, -128, 127);               \
        }                                                                                       \
    }

RUNE_DEFINE_SVDF(s8_reference, int8_t, int8_t)
RUNE_DEFINE_SVDF(s16, int16_t, int16_t)

#endif /* RUNE_KERNELS_REFERENCE_SVDF_H */
