static int32_t helper(void) { return not_declared; }
