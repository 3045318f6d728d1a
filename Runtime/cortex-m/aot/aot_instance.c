/*
 * aot_instance.c - instantiating and calling a translated module on Cortex-M
 * (see aot_instance.h).
 *
 * Traps unwind with rune_aot_longjmp to the rune_aot_invoke that started the
 * call: translated code calls context->trap, which never returns. The stack
 * bound translated code checks at every function entry comes from the board's
 * linker script: the stack grows down from _estack towards the end of RAM in
 * use (or the start of its own region), less a margin for host calls.
 */
#include "cortex-m/aot/aot_instance.h"
#include "cortex-m/aot/aot_prepare.h"
#include "cortex-m/aot/aot_unwind.h"
#include "cortex-m/console.h"

extern uint32_t __ram_end[], _estack[], __stack_origin[];

typedef struct activation {
    rune_aot_jump_buffer buffer;
    int32_t code;
} activation;

/* The call running now; a single core runs one at a time. */
static activation *current;

static void trap(int32_t code, int64_t detail1, int64_t detail2) {
    (void)detail1;
    (void)detail2;
    current->code = code;
    rune_aot_longjmp(&current->buffer, 1);
}

static int32_t host_call(void *host, uint32_t index, uint64_t *values) {
    rune_aot_instance *instance = (rune_aot_instance *)host;
    if (index >= instance->module->import_count) return RUNE_AOT_TRAP_HOST;
    const int32_t status = instance->bindings[index](instance, values);
    if (status == 0 && instance->thread.interrupt != 0) return RUNE_AOT_TRAP_INTERRUPTED;
    return status;
}

static bool text_equal(const char *a, const char *b) {
    while (*a != 0 && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static uintptr_t stack_low_bound(void) {
    const uintptr_t end = (uintptr_t)__ram_end, top = (uintptr_t)_estack, origin = (uintptr_t)__stack_origin;
    /* mps2-an500: the stack shares RAM with .bss and starts at its end.
     * portenta-h7: the stack has DTCM to itself. */
    return (end >= origin && end < top) ? end : origin;
}

static void report_import(const rune_aot_import_entry *entry, const char *problem) {
    rune_console_text("error: the rune imports ");
    rune_console_text(entry->module);
    rune_console_text(".");
    rune_console_text(entry->name);
    rune_console_text(problem);
    rune_console_end_line();
}

static int bind_imports(rune_aot_instance *instance, const rune_aot_host_export *host, uint32_t host_count) {
    const rune_aot_module *module = instance->module;
    if (module->import_count > RUNE_AOT_MAX_IMPORTS) {
        rune_console_text("error: the rune has more imports than this firmware binds");
        rune_console_end_line();
        return 1;
    }
    for (uint32_t i = 0; i < module->import_count; i++) {
        const rune_aot_import_entry *entry = &module->imports[i];
        const rune_aot_host_export *found = NULL;
        for (uint32_t h = 0; h < host_count && found == NULL; h++) {
            if (text_equal(host[h].module, entry->module) && text_equal(host[h].name, entry->name)) found = &host[h];
        }
        if (found == NULL) {
            report_import(entry, ", which this firmware does not provide");
            return 1;
        }
        if (!text_equal(found->signature, entry->signature)) {
            report_import(entry, " with an incompatible type");
            return 1;
        }
        instance->bindings[i] = found->function;
        instance->imports[i].function_slot = 0;
        instance->imports[i].context_slot = 0;
        instance->imports[i].function = entry->thunk;
        instance->imports[i].context = &instance->context;
    }
    return 0;
}

int rune_aot_instantiate(rune_aot_instance *instance, const rune_aot_module *module,
                         const rune_aot_host_export *host, uint32_t host_count) {
    if (module->magic != RUNE_AOT_MODULE_MAGIC || module->version != RUNE_AOT_MODULE_VERSION) {
        rune_console_text("error: the rune's native code is not for this firmware (module descriptor version ");
        rune_console_u64(module->version);
        rune_console_text(", expected ");
        rune_console_u64(RUNE_AOT_MODULE_VERSION);
        rune_console_text(")");
        rune_console_end_line();
        return 1;
    }
    instance->module = module;
    if (bind_imports(instance, host, host_count) != 0) return 1;
    rune_aot_prepare(module, &instance->memory, &instance->table, &instance->context);

    rune_aot_thread *thread = &instance->thread;
    thread->depth = 0;
    thread->depth_limit = RUNE_AOT_MAX_CALL_DEPTH;
    thread->stack_limit = stack_low_bound() + RUNE_AOT_STACK_MARGIN;
    thread->interrupt = 0;
    thread->padding = 0;
    thread->owner = 0;

    rune_aot_context *context = &instance->context;
    /* Zero every slot first: a pointer fills only the low half of its slot. */
    uint64_t *slots = (uint64_t *)(void *)context;
    for (uint32_t i = 0; i < sizeof *context / sizeof(uint64_t); i++) slots[i] = 0;
    context->memory = module->memory != NULL ? &instance->memory : NULL;
    context->globals = module->global_slots;
    context->table = module->table_entries != NULL ? &instance->table : NULL;
    context->imports = instance->imports;
    context->type_ids = module->type_ids;
    context->thread = thread;
    context->trap = trap;
    context->memory_grow = rune_aot_memory_grow;
    context->host_call = host_call;
    context->host = instance;

    if (module->start != NULL) {
        const rune_aot_export_entry start = {"start", ":", module->start};
        uint64_t values[1] = {0};
        const int32_t code = rune_aot_invoke(instance, &start, values);
        if (code != 0) {
            rune_console_text("error: the rune trapped in its start function: ");
            rune_console_text(rune_aot_trap_reason(code));
            rune_console_end_line();
            return 1;
        }
    }
    return 0;
}

const rune_aot_export_entry *rune_aot_find_export(const rune_aot_module *module, const char *name, const char *signature) {
    for (uint32_t i = 0; i < module->export_count; i++) {
        const rune_aot_export_entry *entry = &module->exports[i];
        if (text_equal(entry->name, name) && text_equal(entry->signature, signature)) return entry;
    }
    return NULL;
}

int32_t rune_aot_invoke(rune_aot_instance *instance, const rune_aot_export_entry *function, uint64_t *values) {
    activation call;
    activation *volatile saved = current;
    volatile uint32_t depth = instance->thread.depth;
    call.code = 0;
    current = &call;
    if (rune_aot_setjmp(&call.buffer) == 0) {
        function->entry(&instance->context, values);
    }
    current = saved;
    /* A trap skips the depth decrements of the frames it unwinds. */
    instance->thread.depth = depth;
    return call.code;
}

void rune_aot_interrupt(rune_aot_instance *instance) { instance->thread.interrupt = 1; }

uint8_t *rune_aot_memory_range(rune_aot_instance *instance, uint32_t address, uint32_t length) {
    const rune_aot_memory *memory = &instance->memory;
    if (memory->base == NULL || (uint64_t)address + length > memory->size) return NULL;
    return memory->base + address;
}

const char *rune_aot_trap_reason(int32_t code) {
    switch (code) {
    case RUNE_AOT_TRAP_UNREACHABLE: return "unreachable";
    case RUNE_AOT_TRAP_DIVIDE_BY_ZERO: return "integer divide by zero";
    case RUNE_AOT_TRAP_INTEGER_OVERFLOW: return "integer overflow";
    case RUNE_AOT_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case RUNE_AOT_TRAP_MEMORY_OUT_OF_BOUNDS: return "out of bounds memory access";
    case RUNE_AOT_TRAP_INDIRECT_CALL_TYPE_MISMATCH: return "indirect call type mismatch";
    case RUNE_AOT_TRAP_UNDEFINED_ELEMENT: return "out of bounds table access (undefined element)";
    case RUNE_AOT_TRAP_UNINITIALIZED_ELEMENT: return "indirect call to null element (uninitialized element)";
    case RUNE_AOT_TRAP_CALL_STACK_EXHAUSTED: return "call stack exhausted";
    case RUNE_AOT_TRAP_INTERRUPTED: return "interrupted";
    case RUNE_AOT_TRAP_HOST: return "a host function failed";
    default: return "unknown trap";
    }
}
