/*
 * aot_unwind.h - setjmp and longjmp for Cortex-M with the hard-float ABI, so
 * a trap in translated code (which calls context->trap, never to return)
 * unwinds straight back to the host call that started it.
 *
 * Written here rather than taken from newlib: runec links firmware with no C
 * library, and these are a dozen instructions. They keep what the AAPCS says
 * a callee preserves: r4-r11, sp, lr and d8-d15.
 */
#ifndef RUNE_CORTEX_M_AOT_UNWIND_H
#define RUNE_CORTEX_M_AOT_UNWIND_H

#include "rune.h"

typedef struct rune_aot_jump_buffer {
    uint32_t core[10]; /* r4-r11, sp, lr */
    uint64_t fp[8];    /* d8-d15 */
} rune_aot_jump_buffer;

/* Returns 0 when called, and again (with longjmp's non-zero value) each time
 * rune_aot_longjmp jumps back. Locals the caller changes in between and
 * reads afterwards must be volatile, as with setjmp. */
__attribute__((returns_twice)) int rune_aot_setjmp(rune_aot_jump_buffer *buffer);

/* Resumes at the rune_aot_setjmp that filled `buffer`, whose frame must still
 * be live, making it return `value` (1 if `value` is 0). */
__attribute__((noreturn)) void rune_aot_longjmp(rune_aot_jump_buffer *buffer, int value);

#endif /* RUNE_CORTEX_M_AOT_UNWIND_H */
