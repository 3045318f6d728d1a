/*
 * aot_prepare.h - the state a translated module starts from, made from its
 * descriptor: memory zeroed and filled with the data segments, globals set
 * to their initial bits, table slots set from the element segments.
 *
 * Shared by the two ways a translated rune runs on Cortex-M: firmware that
 * links the rune (aot_instance.c, privileged) and RunicOS container images,
 * where this code is linked into the image and runs unprivileged under the
 * MPU, so a hostile descriptor can only scribble over its own memory.
 */
#ifndef RUNE_CORTEX_M_AOT_PREPARE_H
#define RUNE_CORTEX_M_AOT_PREPARE_H

#include "cortex-m/aot/aot_context.h"

#define RUNE_AOT_PAGE_BYTES 65536u

/* Fills `memory`, the globals and `table` (whose entries' context is
 * `context`) from `module`. */
void rune_aot_prepare(const rune_aot_module *module, rune_aot_memory *memory, rune_aot_table *table, void *context);

/* memory.grow over the pages the module reserved: growing past them fails
 * with -1, as the spec allows a host to decide. */
int32_t rune_aot_memory_grow(rune_aot_memory *memory, uint32_t delta_pages);

#endif /* RUNE_CORTEX_M_AOT_PREPARE_H */
