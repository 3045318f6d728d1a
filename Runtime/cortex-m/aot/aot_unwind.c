/*
 * aot_unwind.c - rune_aot_setjmp and rune_aot_longjmp (see aot_unwind.h).
 *
 * Naked, so no prologue touches the registers before they are saved. Thumb-2
 * cannot store or load sp in a register list, hence the detour through r12
 * (a scratch register the AAPCS lets any call clobber).
 */
#include "cortex-m/aot/aot_unwind.h"

__attribute__((naked, returns_twice)) int rune_aot_setjmp(rune_aot_jump_buffer *buffer) {
    __asm volatile("mov r12, sp\n"
                   "stmia r0!, {r4-r11, r12, lr}\n"
                   "vstmia r0, {d8-d15}\n"
                   "movs r0, #0\n"
                   "bx lr\n");
}

__attribute__((naked, noreturn)) void rune_aot_longjmp(rune_aot_jump_buffer *buffer, int value) {
    __asm volatile("ldmia r0!, {r4-r11, r12, lr}\n"
                   "vldmia r0, {d8-d15}\n"
                   "mov sp, r12\n"
                   "movs r0, r1\n"
                   "it eq\n"
                   "moveq r0, #1\n"
                   "bx lr\n");
}
