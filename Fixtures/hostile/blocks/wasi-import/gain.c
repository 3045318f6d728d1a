#include "rune_block.h"
__attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_write")))
int32_t fd_write(int32_t fd, const void *iovs, int32_t count, int32_t *written);
int32_t rune_block_run(const rune_block_arguments *a, const rune_tensor *in, uint32_t n, rune_tensor *out, uint32_t m) {
    int32_t written;
    return fd_write(1, 0, 0, &written);
}
