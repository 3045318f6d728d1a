int32_t rune_block_run(void);
