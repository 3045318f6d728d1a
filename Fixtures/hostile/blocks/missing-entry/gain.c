#include "rune_block.h"
int32_t rune_block_runn(void) { return 0; }
