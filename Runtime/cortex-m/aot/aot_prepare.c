/*
 * aot_prepare.c - a translated module's initial state (see aot_prepare.h).
 */
#include "cortex-m/aot/aot_prepare.h"

static void copy_bytes(uint8_t *to, const uint8_t *from, uint32_t count) {
    for (uint32_t i = 0; i < count; i++) to[i] = from[i];
}

static void prepare_memory(const rune_aot_module *module, rune_aot_memory *memory) {
    memory->base_slot = 0;
    memory->base = module->memory;
    memory->pages = module->memory_pages;
    memory->max_pages = module->memory_pages;
    memory->size = (uint64_t)module->memory_pages * RUNE_AOT_PAGE_BYTES;
    memory->reserved = memory->size;
    if (module->memory == NULL) return;
    /* Zeroed at boot, but an instance may be made again after a call changed it. */
    for (uint64_t i = 0; i < memory->size; i++) module->memory[i] = 0;
    /* The translator checked every segment lies inside the initial pages. */
    for (uint32_t s = 0; s < module->data_count; s++) {
        const rune_aot_data_segment *segment = &module->data[s];
        copy_bytes(module->memory + segment->offset, segment->bytes, segment->length);
    }
}

static void prepare_table(const rune_aot_module *module, rune_aot_table *table, void *context) {
    table->entries_slot = 0;
    table->entries = module->table_entries;
    table->size = module->table_size;
    for (uint32_t i = 0; i < module->table_size; i++) {
        rune_aot_table_entry *entry = &module->table_entries[i];
        entry->type_id = -1;
        entry->padding = 0;
        entry->function_slot = 0;
        entry->context_slot = 0;
    }
    for (uint32_t e = 0; e < module->element_count; e++) {
        const rune_aot_element *element = &module->elements[e];
        rune_aot_table_entry *entry = &module->table_entries[element->index];
        entry->type_id = element->type_id;
        entry->function = element->function;
        entry->context = element->function != NULL ? context : NULL;
    }
}

void rune_aot_prepare(const rune_aot_module *module, rune_aot_memory *memory, rune_aot_table *table, void *context) {
    prepare_memory(module, memory);
    for (uint32_t g = 0; g < module->global_count; g++) module->global_cells[g] = module->global_values[g];
    prepare_table(module, table, context);
}

int32_t rune_aot_memory_grow(rune_aot_memory *memory, uint32_t delta) {
    const uint64_t old = memory->pages;
    if (delta == 0) return (int32_t)old;
    if (old + delta > memory->max_pages) return -1;
    memory->pages = old + delta;
    memory->size = memory->pages * RUNE_AOT_PAGE_BYTES;
    return (int32_t)old;
}
