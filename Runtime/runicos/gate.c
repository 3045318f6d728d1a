/*
 * gate.c - the only OS code a rune may execute: one SVC instruction per
 * service, and the gate table pointing at them. The OS linker script gathers
 * both into one 128-byte region the MPU maps read-only and executable for
 * the rune; everything else of the OS is out of its reach.
 */
#include "runicos/control.h"

#define GATE __attribute__((naked, section(".runicos_gate.text")))

/* int32_t host_call(void *host, uint32_t import, uint64_t *values) */
GATE static void gate_host_call(void) { __asm volatile("svc #1\n bx lr\n"); }
/* void trap(int32_t code, ...): never returns. */
GATE static void gate_trap(void) { __asm volatile("svc #2\n b .\n"); }

/* Where an entry function returns to (its LR at entry): ends the call. */
GATE void runicos_gate_return(void) { __asm volatile("svc #3\n b .\n"); }
/* Where the watchdog sends a call that ran too long. */
GATE void runicos_gate_timeout(void) { __asm volatile("movs r0, #102\n svc #2\n b .\n"); }

__attribute__((section(".runicos_gate.rodata")))
const runicos_gates runicos_gate_table = {
    RUNICOS_ABI_VERSION,
    (rune_aot_trap_function)(void (*)(void))gate_trap,
    (rune_aot_host_function)(void (*)(void))gate_host_call,
};
