/*
 * rune_block.h - the API for processing blocks you write yourself.
 *
 *     PROC_BLOCK<F32[4],F32[4]> gain ./gain.c --gain 2
 *
 * runec compiles gain.c into the rune (freestanding C11: no libc, no malloc;
 * use static storage for state) and calls one function per run:
 *
 *     #include "rune_block.h"
 *
 *     int32_t rune_block_run(const rune_block_arguments *arguments,
 *                            const rune_tensor *inputs, uint32_t input_count,
 *                            rune_tensor *outputs, uint32_t output_count) {
 *         float gain = rune_block_argument_float(arguments, "gain", 1.0f);
 *         const float *in = inputs[0].data;
 *         float *out = outputs[0].data;
 *         for (uint32_t i = 0; i < rune_tensor_element_count(&inputs[0]); i++)
 *             out[i] = in[i] * gain;
 *         return RUNE_OK;
 *     }
 *
 * Inputs and outputs arrive with the element types and shapes the Runefile
 * declared (runec checks them, so a block may rely on them). Arguments are
 * every `--key value` of the PROC_BLOCK line, keys lower case with `_`, values
 * as text. Return RUNE_OK, or RUNE_ERROR_BLOCK after logging why with
 * rune_log_write: the host stops the run and reports the failure.
 *
 * The name `rune_block_run` is rewritten per stage by runec, so one rune may
 * use the same file in several stages.
 */
#ifndef RUNE_BLOCK_H
#define RUNE_BLOCK_H

#include "rune.h"

/* A view of one tensor: `rank` dimensions, row-major, elements of `type`. */
typedef struct rune_tensor {
    void *data;
    rune_element_type type;
    uint32_t rank;
    const uint32_t *dimensions;
} rune_tensor;

typedef struct rune_block_argument {
    const char *key;
    const char *value;
} rune_block_argument;

typedef struct rune_block_arguments {
    const rune_block_argument *items;
    uint32_t count;
} rune_block_arguments;

int32_t rune_block_run(const rune_block_arguments *arguments, const rune_tensor *inputs, uint32_t input_count,
                       rune_tensor *outputs, uint32_t output_count);

static inline uint32_t rune_tensor_element_count(const rune_tensor *tensor) {
    uint32_t count = 1;
    for (uint32_t i = 0; i < tensor->rank; i++) count *= tensor->dimensions[i];
    return count;
}

static inline int rune_block_text_equal(const char *a, const char *b) {
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

/* The text of argument `key`, or NULL when the Runefile did not give it. */
static inline const char *rune_block_argument_text(const rune_block_arguments *arguments, const char *key) {
    for (uint32_t i = 0; i < arguments->count; i++)
        if (rune_block_text_equal(arguments->items[i].key, key)) return arguments->items[i].value;
    return (const char *)0;
}

/* Argument `key` as a decimal number (`-2`, `0.5`, `1e-3`), or `fallback`. */
static inline double rune_block_argument_double(const rune_block_arguments *arguments, const char *key,
                                                double fallback) {
    const char *text = rune_block_argument_text(arguments, key);
    if (!text) return fallback;
    double sign = 1.0, value = 0.0, scale = 1.0;
    int digits = 0, exponent = 0, exponent_sign = 1;
    if (*text == '-' || *text == '+') sign = (*text++ == '-') ? -1.0 : 1.0;
    for (; *text >= '0' && *text <= '9'; text++, digits++) value = value * 10.0 + (*text - '0');
    if (*text == '.')
        for (text++; *text >= '0' && *text <= '9'; text++, digits++) value += (*text - '0') * (scale /= 10.0);
    if (digits && (*text == 'e' || *text == 'E')) {
        text++;
        if (*text == '-' || *text == '+') exponent_sign = (*text++ == '-') ? -1 : 1;
        for (; *text >= '0' && *text <= '9'; text++) exponent = exponent * 10 + (*text - '0');
        for (; exponent > 0; exponent--) value = exponent_sign > 0 ? value * 10.0 : value / 10.0;
    }
    return (digits && *text == 0) ? sign * value : fallback;
}

static inline float rune_block_argument_float(const rune_block_arguments *arguments, const char *key, float fallback) {
    return (float)rune_block_argument_double(arguments, key, (double)fallback);
}

static inline int32_t rune_block_argument_int(const rune_block_arguments *arguments, const char *key,
                                              int32_t fallback) {
    double value = rune_block_argument_double(arguments, key, (double)fallback);
    return value == (double)(int32_t)value ? (int32_t)value : fallback;
}

#endif /* RUNE_BLOCK_H */
