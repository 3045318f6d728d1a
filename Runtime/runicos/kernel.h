/*
 * kernel.h - what the rest of RunicOS (the link protocol, the boards) may ask
 * of its kernel: its identity, the running rune, and the inputs streamed in.
 */
#ifndef RUNICOS_KERNEL_H
#define RUNICOS_KERNEL_H

#include "runicos/slots.h"

#define RUNICOS_VERSION "0.1.0"

typedef struct runicos_status {
    const char *board;
    uint32_t abi_version;
    int32_t active_slot;         /* -1: no rune */
    uint8_t rune_sha256[32];     /* of the running rune's .rune; zero without one */
    uint64_t calls;
    uint64_t traps;
    uint32_t uptime_ms;
    /* LibSaga, about the running rune since it was loaded (zero without one):
     * its calls and their rune_board_cycles, summed and the last; its RAM
     * (.data and .bss, the linear memory among them); and the deepest its
     * stack reached, from the pattern painted at load (0 if not measured). */
    uint64_t rune_calls;
    uint64_t rune_cycles;
    uint32_t last_call_cycles;
    uint32_t ram_bytes;
    uint32_t stack_peak_bytes;
} runicos_status;

void runicos_kernel_status(runicos_status *status);

/* The slots the link protocol uploads into. */
runicos_slots *runicos_kernel_slots(void);

/* Called after an upload activated a slot: the kernel loads that rune before
 * its next call; if loading fails it says why and goes back to the previous. */
void runicos_kernel_rune_changed(void);

/* Rolls back: takes the active slot out of service (erased, its activation
 * record first), so the other slot's rune, activated before it, is active
 * again; the kernel loads it before its next call, as after an upload. The
 * running rune is unloaded first: its slot is mapped read-only while it is
 * loaded. 0, or -1 if there is no active slot or erasing it failed (the
 * kernel then reloads whatever is active). */
int runicos_kernel_leave_active(void);

/* Bytes [offset, offset + length) of the tensor the host streams to capability
 * `index` of the running rune, in order (offset 0 starts the tensor again).
 * Once the whole tensor is there the capability reads it on the next calls;
 * a rune fed by the host is called once per complete set of its fed tensors.
 * 0, or -1 if there is no such capability, the chunk is out of order or runs
 * past the tensor, or the tensors would not fit RUNICOS_MAX_FED_BYTES. */
int runicos_kernel_stream_input(uint32_t index, uint32_t offset, const uint8_t *data, uint32_t length);

#endif /* RUNICOS_KERNEL_H */
