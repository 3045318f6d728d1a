#include "rune_block.h"
#define GLUE(a, b) a##b
#define SPELL GLUE(__as, m__)
#define BARRIER() SPELL volatile("")
int32_t rune_block_run(const rune_block_arguments *a, const rune_tensor *in, uint32_t n, rune_tensor *out, uint32_t m) {
    BARRIER();
    return RUNE_OK;
}
