#include "rune_block.h"
int32_t rune_block_run(const rune_block_arguments *a, const rune_tensor *i, uint32_t n, rune_tensor *o, uint32_t m) {
    return undefined_name;
}
