/*
 * rune_start.c - the rune side of a RunicOS image: linked into every image
 * beside the translated code, it runs unprivileged and builds the rune's
 * context from its module descriptor (the work aot_instance.c does for
 * firmware that links a rune), so the OS never writes where a descriptor
 * points. Only the gate table connects it to the OS.
 */
#include "runicos/control.h"
#include "cortex-m/aot/aot_prepare.h"

extern const rune_aot_module rune_aot_descriptor;

static void start(const runicos_gates *gates, runicos_control *control) {
    const rune_aot_module *module = &rune_aot_descriptor;
    if (gates->abi_version != RUNICOS_ABI_VERSION || module->magic != RUNE_AOT_MODULE_MAGIC ||
        module->version != RUNE_AOT_MODULE_VERSION || module->import_count > RUNICOS_MAX_IMPORTS) {
        gates->trap(RUNICOS_TRAP_ABI_MISMATCH, 0, 0);
    }
    rune_aot_prepare(module, &control->memory, &control->table, &control->context);
    for (uint32_t i = 0; i < module->import_count; i++) {
        control->imports[i].function_slot = 0;
        control->imports[i].context_slot = 0;
        control->imports[i].function = module->imports[i].thunk;
        control->imports[i].context = &control->context;
    }
    rune_aot_context *context = &control->context;
    uint64_t *slots = (uint64_t *)(void *)context;
    for (uint32_t i = 0; i < sizeof *context / sizeof(uint64_t); i++) slots[i] = 0;
    context->memory = module->memory != NULL ? &control->memory : NULL;
    context->globals = module->global_slots;
    context->table = module->table_entries != NULL ? &control->table : NULL;
    context->imports = control->imports;
    context->type_ids = module->type_ids;
    context->thread = &control->thread;
    context->trap = gates->trap;
    context->memory_grow = rune_aot_memory_grow;
    context->host_call = gates->host_call;
    context->host = NULL;
    if (module->start != NULL) module->start(context, control->values);
}

__attribute__((used, section(".runicos_entry")))
const runicos_image_entry runicos_image_entry_table = {RUNICOS_ENTRY_MAGIC, start, &rune_aot_descriptor};
