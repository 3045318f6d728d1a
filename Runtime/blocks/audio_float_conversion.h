/*
 * audio_float_conversion - 16-bit PCM samples to f32 in [-1, 1]: x / 32767,
 * clamped (so -32768 maps to -1.0 exactly).
 */
#ifndef RUNE_BLOCKS_AUDIO_FLOAT_CONVERSION_H
#define RUNE_BLOCKS_AUDIO_FLOAT_CONVERSION_H

#include "rune.h"

static inline int32_t rune_block_audio_float_conversion(const int16_t *input, float *output,
                                                        uint32_t count) {
    for (uint32_t i = 0; i < count; i++) {
        float value = (float)input[i] / 32767.0f;
        output[i] = value < -1.0f ? -1.0f : (value > 1.0f ? 1.0f : value);
    }
    return RUNE_OK;
}

#endif
