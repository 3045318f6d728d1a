/*
 * aot_instance.h - one instance of a module translated by runec's AOT engine
 * for Cortex-M: what the workstation engine's AOTInstance does, without a
 * WebAssembly decoder (the module's descriptor says what to copy where),
 * without signals (memory accesses are checked by the code itself) and
 * without threads (one call runs at a time).
 */
#ifndef RUNE_CORTEX_M_AOT_INSTANCE_H
#define RUNE_CORTEX_M_AOT_INSTANCE_H

#include "cortex-m/aot/aot_context.h"

/* Static limits, since nothing here allocates; raise them with -D. */
#ifndef RUNE_AOT_MAX_IMPORTS
#define RUNE_AOT_MAX_IMPORTS 16
#endif
/* Stack left below the deepest frame of translated code for the host
 * functions it calls and for printing a trap. */
#ifndef RUNE_AOT_STACK_MARGIN
#define RUNE_AOT_STACK_MARGIN 8192u
#endif
/* Wasm calls nested deeper than this trap with "call stack exhausted" (the
 * stack bound usually stops them first). */
#ifndef RUNE_AOT_MAX_CALL_DEPTH
#define RUNE_AOT_MAX_CALL_DEPTH 10000u
#endif

struct rune_aot_instance;

/* A host function: arguments in `values` (raw bits), results written back
 * there. Returns 0, or the trap that stops the call (RUNE_AOT_TRAP_HOST). */
typedef int32_t (*rune_aot_host_import)(struct rune_aot_instance *instance, uint64_t *values);

/* What the host offers a module to import. */
typedef struct rune_aot_host_export {
    const char *module;
    const char *name;
    const char *signature;
    rune_aot_host_import function;
} rune_aot_host_export;

typedef struct rune_aot_instance {
    const rune_aot_module *module;
    rune_aot_context context;
    rune_aot_memory memory;
    rune_aot_table table;
    rune_aot_thread thread;
    rune_aot_import imports[RUNE_AOT_MAX_IMPORTS];
    rune_aot_host_import bindings[RUNE_AOT_MAX_IMPORTS];
} rune_aot_instance;

/*
 * Instantiates `module`: binds each of its imports to the host export of the
 * same module, name and signature, fills memory (zeroed, then the data
 * segments), globals and table, and runs its start function. Returns 0, or 1
 * after printing the single error line saying why not.
 */
int rune_aot_instantiate(rune_aot_instance *instance, const rune_aot_module *module,
                         const rune_aot_host_export *host, uint32_t host_count);

/* The exported function `name` with `signature`, or NULL. */
const rune_aot_export_entry *rune_aot_find_export(const rune_aot_module *module, const char *name, const char *signature);

/* Calls `function` with its arguments in `values` (raw bits), leaving its
 * results there. Returns 0, or the rune_aot_trap that stopped it. */
int32_t rune_aot_invoke(rune_aot_instance *instance, const rune_aot_export_entry *function, uint64_t *values);

/* Stops the running call from within a host function or an interrupt handler:
 * it traps with "interrupted" at its next function entry or host call. */
void rune_aot_interrupt(rune_aot_instance *instance);

/* The host address of `[address, address + length)` in the instance's
 * memory, or NULL if any of it lies outside. */
uint8_t *rune_aot_memory_range(rune_aot_instance *instance, uint32_t address, uint32_t length);

/* A trap as the workstation engines word it ("out of bounds memory access"). */
const char *rune_aot_trap_reason(int32_t code);

#endif /* RUNE_CORTEX_M_AOT_INSTANCE_H */
