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
} runicos_status;

void runicos_kernel_status(runicos_status *status);

/* The slots the link protocol uploads into. */
runicos_slots *runicos_kernel_slots(void);

/* Called after an upload activated a slot: the kernel loads that rune before
 * its next call; if loading fails it says why and goes back to the previous. */
void runicos_kernel_rune_changed(void);

/* Capability `index` of the running rune reads `data` on its next calls (a
 * tensor streamed by the host). 0, or -1 if no such capability or the length
 * is not the capability's tensor size (then nothing changes). */
int runicos_kernel_stream_input(uint32_t index, const uint8_t *data, uint32_t length);

#endif /* RUNICOS_KERNEL_H */
