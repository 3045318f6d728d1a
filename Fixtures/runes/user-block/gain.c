/* output = input * gain + offset, for every element. */
#include "rune_block.h"

int32_t rune_block_run(const rune_block_arguments *arguments, const rune_tensor *inputs, uint32_t input_count,
                       rune_tensor *outputs, uint32_t output_count) {
    if (input_count != 1 || output_count != 1) return RUNE_ERROR_BLOCK;
    float gain = rune_block_argument_float(arguments, "gain", 1.0f);
    float offset = rune_block_argument_float(arguments, "offset", 0.0f);
    const float *in = inputs[0].data;
    float *out = outputs[0].data;
    for (uint32_t i = 0; i < rune_tensor_element_count(&inputs[0]); i++) out[i] = in[i] * gain + offset;
    return RUNE_OK;
}
