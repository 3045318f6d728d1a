#include "rune_block.h"
int32_t rune_block_run(const rune_block_arguments *a, const rune_tensor *in, uint32_t n, rune_tensor *out, uint32_t m) {
    const float *x = in[0].data;
    float *y = out[0].data;
    for (uint32_t i = 0; i < 4; i++) y[i] = __builtin_powf(x[i], 2.5f);
    return RUNE_OK;
}
