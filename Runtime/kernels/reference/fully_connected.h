/*
 * reference/fully_connected.h - FULLY_CONNECTED as TFLite Micro's reference
 * kernels compute it: float32; int8 (per-tensor or
 * per-channel weights); uint8 with a weights zero point (older models); and
 * hybrid: float activations with int8 weights, where each batch of the input
 * is quantized symmetrically on the fly, as TFLite's hybrid kernel does.
 *
 * Weights are [output_depth, input_depth]. kernels/optimized/fully_connected.h
 * has the fast int8 path; kernels/fully_connected.h chooses.
 */
#ifndef RUNE_KERNELS_REFERENCE_FULLY_CONNECTED_H
#define RUNE_KERNELS_REFERENCE_FULLY_CONNECTED_H

#include "kernels/common.h"

static void rune_fully_connected_f32(const rune_fully_connected_params *p, const float *input,
                                     const float *filter, const float *bias, float *output) {
    for (int32_t b = 0; b < p->batches; b++) {
        const float *in = input + b * p->input_depth;
        for (int32_t oc = 0; oc < p->output_depth; oc++) {
            const float *w = filter + oc * p->input_depth;
            float total = 0.0f;
            for (int32_t d = 0; d < p->input_depth; d++) total += in[d] * w[d];
            if (bias) total += bias[oc];
            output[b * p->output_depth + oc] = rune_clamp_f32(total, p->float_min, p->float_max);
        }
    }
}

static void rune_fully_connected_s8_reference(const rune_fully_connected_params *p, const int8_t *input,
                                              const int8_t *filter, const int32_t *bias, int8_t *output) {
    for (int32_t b = 0; b < p->batches; b++) {
        const int8_t *in = input + b * p->input_depth;
        for (int32_t oc = 0; oc < p->output_depth; oc++) {
            const int8_t *w = filter + oc * p->input_depth;
            int32_t acc = 0;
            for (int32_t d = 0; d < p->input_depth; d++) {
                acc += ((int32_t)w[d] + p->filter_offset) * ((int32_t)in[d] + p->input_offset);
            }
            if (bias) acc += bias[oc];
            const int32_t c = p->per_channel ? oc : 0;
            output[b * p->output_depth + oc] = (int8_t)rune_requantize(acc, p->multipliers[c], p->shifts[c],
                                                                       p->output_offset, p->activation_min,
                                                                       p->activation_max);
        }
    }
}

static void rune_fully_connected_u8(const rune_fully_connected_params *p, const uint8_t *input,
                                    const uint8_t *filter, const int32_t *bias, uint8_t *output) {
    for (int32_t b = 0; b < p->batches; b++) {
        const uint8_t *in = input + b * p->input_depth;
        for (int32_t oc = 0; oc < p->output_depth; oc++) {
            const uint8_t *w = filter + oc * p->input_depth;
            int32_t acc = 0;
            for (int32_t d = 0; d < p->input_depth; d++) {
                acc += ((int32_t)w[d] + p->filter_offset) * ((int32_t)in[d] + p->input_offset);
            }
            if (bias) acc += bias[oc];
            output[b * p->output_depth + oc] = (uint8_t)rune_requantize(acc, p->multipliers[0], p->shifts[0],
                                                                        p->output_offset, p->activation_min,
                                                                        p->activation_max);
        }
    }
}

/*
 * Float activations, int8 weights. Each batch of the input is quantized to int8 on the fly:
 * symmetrically (scale = max|x| / 127) or, when `asymmetric`, with a zero point over
 * [min(x, 0), max(x, 0)], as TFLite's hybrid kernel does. `scratch` holds input_depth bytes.
 */
static void rune_fully_connected_hybrid(const rune_fully_connected_params *p, const float *input,
                                        const int8_t *filter, const float *bias, float *output,
                                        int8_t *scratch) {
    for (int32_t b = 0; b < p->batches; b++) {
        const float *in = input + b * p->input_depth;
        float *out = output + b * p->output_depth;
        for (int32_t oc = 0; oc < p->output_depth; oc++) out[oc] = bias ? bias[oc] : 0.0f;
        float low = in[0], high = in[0];
        for (int32_t d = 1; d < p->input_depth; d++) {
            if (in[d] < low) low = in[d];
            if (in[d] > high) high = in[d];
        }
        float scale = 0.0f;
        int32_t offset = 0;
        int nonzero = 0;
        if (p->asymmetric) {
            const double rmin = low < 0.0f ? (double)low : 0.0;
            const double rmax = high > 0.0f ? (double)high : 0.0;
            if (rmin != rmax) {
                nonzero = 1;
                const double s = (rmax - rmin) / 255.0;
                const double from_min = -128.0 - rmin / s;
                const double from_max = 127.0 - rmax / s;
                const double error_min = 128.0 + rune_fabs(rmin / s);
                const double error_max = 127.0 + rune_fabs(rmax / s);
                const double zero_point = error_min < error_max ? from_min : from_max;
                offset = zero_point <= -128.0 ? -128 : (zero_point >= 127.0 ? 127 : (int32_t)rune_round(zero_point));
                scale = (float)s;
                const float inverse = 1.0f / scale;
                for (int32_t d = 0; d < p->input_depth; d++) {
                    const int32_t q = (int32_t)rune_roundf((float)offset + in[d] * inverse);
                    scratch[d] = (int8_t)rune_clamp_i32(q, -128, 127);
                }
            }
        } else {
            const float range = rune_fmaxf(rune_fabsf(low), rune_fabsf(high));
            if (range != 0.0f) {
                nonzero = 1;
                scale = range / 127.0f;
                const float inverse = 127.0f / range;
                for (int32_t d = 0; d < p->input_depth; d++) {
                    const int32_t q = (int32_t)rune_roundf(in[d] * inverse);
                    scratch[d] = (int8_t)rune_clamp_i32(q, -127, 127);
                }
            }
        }
        if (nonzero) {
            for (int32_t oc = 0; oc < p->output_depth; oc++) {
                const int8_t *w = filter + oc * p->input_depth;
                int32_t dot = 0;
                int32_t row_sum = 0;
                for (int32_t d = 0; d < p->input_depth; d++) {
                    dot += (int32_t)w[d] * (int32_t)scratch[d];
                    row_sum += w[d];
                }
                dot -= row_sum * offset;
                const float factor = scale * p->filter_scales[p->per_channel ? oc : 0];
                out[oc] += (float)dot * factor;
            }
        }
        for (int32_t oc = 0; oc < p->output_depth; oc++) out[oc] = rune_clamp_f32(out[oc], p->float_min, p->float_max);
    }
}

#endif /* RUNE_KERNELS_REFERENCE_FULLY_CONNECTED_H */
