/*
 * control.h - the interface between RunicOS and the rune it runs: what lies
 * in the rune's RAM for both to see, the gates the rune reaches the OS
 * through, and the entry table at the start of every image's code.
 *
 * The rune runs unprivileged; the MPU maps it its slot (read and execute),
 * its RAM region (read and write, never execute) and the OS's gate region
 * (read and execute), and nothing else. It reaches the OS only through the
 * versioned gate table (runicos_gates) passed at entry, whose functions are
 * SVC instructions; everything it can write, including this control block,
 * the OS reads as hostile.
 */
#ifndef RUNICOS_CONTROL_H
#define RUNICOS_CONTROL_H

#include "cortex-m/aot/aot_context.h"
#include "runicos/image.h"

/* Import bindings a rune may have (it imports at most rune.h's three). */
#define RUNICOS_MAX_IMPORTS 16u
/* Argument and result cells of an entry call. */
#define RUNICOS_MAX_VALUES 16u

/* At the start of the rune's RAM region, RUNICOS_CONTROL_BLOCK_BYTES long. */
typedef struct runicos_control {
    rune_aot_context context;
    rune_aot_memory memory;
    rune_aot_table table;
    rune_aot_thread thread; /* stack_limit is set by the OS before each entry */
    rune_aot_import imports[RUNICOS_MAX_IMPORTS];
    uint64_t values[RUNICOS_MAX_VALUES];
} runicos_control;

_Static_assert(sizeof(runicos_control) <= RUNICOS_CONTROL_BLOCK_BYTES, "the control block fits its reservation");

/* SVC numbers: ENTER comes from the OS, the others from the rune's gates. */
#define RUNICOS_SVC_ENTER 0u
#define RUNICOS_SVC_HOST_CALL 1u
#define RUNICOS_SVC_TRAP 2u
#define RUNICOS_SVC_RETURN 3u

/* The gate table, in the OS's gate region, read-only to the rune. */
typedef struct runicos_gates {
    uint32_t abi_version; /* RUNICOS_ABI_VERSION */
    rune_aot_trap_function trap;
    rune_aot_host_function host_call;
} runicos_gates;

#define RUNICOS_ENTRY_MAGIC 0x59525445u /* "ETRY" */

/* The image's entry table (the header's entry_address). `start` runs
 * unprivileged once per load: it checks the gates' version, builds the
 * context in `control` from the descriptor and runs the start function. */
typedef struct runicos_image_entry {
    uint32_t magic;
    void (*start)(const runicos_gates *gates, runicos_control *control);
    const rune_aot_module *module;
} runicos_image_entry;

/* Trap codes beyond rune_aot_trap that only RunicOS raises. */
#define RUNICOS_TRAP_ABI_MISMATCH 100
#define RUNICOS_TRAP_BAD_SYSTEM_CALL 101
#define RUNICOS_TRAP_TIMEOUT 102
#define RUNICOS_TRAP_MEMORY_FAULT 103 /* MemManage: an access the MPU forbids */
#define RUNICOS_TRAP_BUS_FAULT 104
#define RUNICOS_TRAP_USAGE_FAULT 105
#define RUNICOS_TRAP_HARD_FAULT 106

#endif /* RUNICOS_CONTROL_H */
