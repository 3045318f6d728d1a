#include "/etc/passwd"
#include "rune_block.h"
int32_t rune_block_run(const rune_block_arguments *a, const rune_tensor *in, uint32_t n, rune_tensor *out, uint32_t m) {
    return RUNE_OK;
}
