/*
 * isolation.h - running rune code unprivileged under the Cortex-M7 MPU
 * (PMSAv7), and getting control back whatever it does: returns, traps
 * through its gate, touches memory it was not given, runs past its time.
 */
#ifndef RUNICOS_ISOLATION_H
#define RUNICOS_ISOLATION_H

#include "runicos/control.h"

/* What stopped the last call that did not end normally. */
typedef struct runicos_fault {
    int32_t code;     /* a rune_aot_trap or RUNICOS_TRAP_* */
    uint32_t pc;      /* where the rune was (faults and timeouts) */
    uint32_t address; /* the faulting data address when the core knows it, else 0 */
    uint32_t cfsr;    /* the Configurable Fault Status Register at the fault */
} runicos_fault;

/* Checks the core has an MPU with enough regions, enables the fault
 * exceptions and eager FP stacking. 0, or -1 (after printing why). */
int runicos_isolation_init(void);

/*
 * Maps the rune in slot `slot`: its slot read-only and executable, its RAM
 * region read-write and never executable, the gate region read-only and
 * executable. The OS keeps the default map (PRIVDEFENA).
 */
void runicos_isolation_map(const runicos_layout *layout, uint32_t slot);

/* Turns the MPU off again (no rune loaded). */
void runicos_isolation_unmap(void);

/*
 * Calls `function(arg0, arg1)` unprivileged on the rune's stack, which ends at
 * `stack_top` (8-byte aligned, inside the RAM region), with a time budget of
 * `budget_cycles` (0: none). Returns 0 when it returned, else the trap code,
 * with the details in `*fault`.
 */
int32_t runicos_isolation_call(uint32_t function, uint32_t arg0, uint32_t arg1, uint32_t stack_top, uint64_t budget_cycles,
                               runicos_fault *fault);

/* Implemented by the kernel: a host function for the rune, with `values`
 * already copied out of the rune's memory. Returns 0 or a trap code. */
int32_t runicos_kernel_host_call(uint32_t import, uint64_t *values);

/* The SysTick tick: boards call it through rune_board_systick's handler. */
void runicos_isolation_tick(void);

#endif /* RUNICOS_ISOLATION_H */
