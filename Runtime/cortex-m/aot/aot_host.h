/*
 * aot_host.h - the rune ABI (rune.h's three imports) for a rune running as
 * translated code: each import checks the wasm addresses it is given against
 * the rune's memory and calls the Cortex-M runtime's native implementation
 * (capabilities.c, outputs.c, log.c) with host addresses.
 */
#ifndef RUNE_CORTEX_M_AOT_HOST_H
#define RUNE_CORTEX_M_AOT_HOST_H

#include "cortex-m/aot/aot_instance.h"
#include "cortex-m/manifest.h"

/* UTF8 output elements translated per call (wasm rune_strings hold wasm
 * addresses, the runtime's hold host addresses). */
#ifndef RUNE_AOT_MAX_OUTPUT_STRINGS
#define RUNE_AOT_MAX_OUTPUT_STRINGS 256
#endif

/* capability_read, output_write and log, for rune_aot_instantiate. */
extern const rune_aot_host_export rune_aot_host_exports[];
extern const uint32_t rune_aot_host_export_count;

/* The manifest output_write checks UTF8 tensors against; must outlive the calls. */
void rune_aot_host_prepare(const rune_manifest_view *manifest);
/* Forgets the previous call's translated strings. */
void rune_aot_host_begin_call(void);

#endif /* RUNE_CORTEX_M_AOT_HOST_H */
