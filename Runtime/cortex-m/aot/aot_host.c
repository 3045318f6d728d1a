/*
 * aot_host.c - rune.h's imports for translated code (see aot_host.h).
 *
 * A buffer outside the rune's memory stops the call, as on the workstation
 * host: a single "[error]" line says which, then the host trap. Everything
 * else (unknown capability, wrong length) is the native runtime's to judge,
 * exactly as for direct firmware.
 */
#include "cortex-m/aot/aot_host.h"
#include "cortex-m/console.h"

static const rune_manifest_view *manifest;
static rune_string strings[RUNE_AOT_MAX_OUTPUT_STRINGS];
static uint32_t strings_used;

void rune_aot_host_prepare(const rune_manifest_view *view) { manifest = view; }

void rune_aot_host_begin_call(void) { strings_used = 0; }

static int32_t refuse(const char *what) {
    rune_console_text("[error] ");
    rune_console_text(what);
    rune_console_end_line();
    return RUNE_AOT_TRAP_HOST;
}

static uint32_t load_u32(const uint8_t *from) {
    return (uint32_t)from[0] | (uint32_t)from[1] << 8 | (uint32_t)from[2] << 16 | (uint32_t)from[3] << 24;
}

static int32_t capability_read(rune_aot_instance *instance, uint64_t *values) {
    const uint32_t capability = (uint32_t)values[0], address = (uint32_t)values[1], length = (uint32_t)values[2];
    uint8_t *buffer = rune_aot_memory_range(instance, address, length);
    if (buffer == NULL) return refuse("capability_read's buffer lies outside the rune's memory");
    values[0] = (uint32_t)rune_capability_read(capability, buffer, length);
    return 0;
}

/* The tensor `input` of output `output` is UTF8: its wasm rune_strings,
 * rewritten with host addresses into this call's string pool. NULL (after
 * printing why) if a string lies outside memory or the pool is full. */
static const void *translate_strings(rune_aot_instance *instance, uint32_t output, const uint8_t *elements, uint32_t length) {
    const uint32_t count = length / 8;
    if (count > RUNE_AOT_MAX_OUTPUT_STRINGS - strings_used) {
        refuse("a UTF8 output has more strings than this firmware holds per call");
        return NULL;
    }
    rune_string *translated = &strings[strings_used];
    for (uint32_t i = 0; i < count; i++) {
        const uint32_t pointer = load_u32(elements + 8 * i), size = load_u32(elements + 8 * i + 4);
        const uint8_t *text = rune_aot_memory_range(instance, pointer, size);
        if (text == NULL) {
            /* As the host words it. */
            const rune_text *name = &manifest->outputs[output].name;
            rune_console_text("[error] string ");
            rune_console_u64(i);
            rune_console_text(" of output '");
            rune_console_write(name->data, name->length);
            rune_console_text("' lies outside the rune's memory");
            rune_console_end_line();
            return NULL;
        }
        translated[i].data = (const char *)text;
        translated[i].length = size;
    }
    strings_used += count;
    return translated;
}

static bool is_utf8_tensor(uint32_t output, uint32_t input) {
    if (manifest == NULL || output >= manifest->output_count) return false;
    const rune_output_info *info = &manifest->outputs[output];
    if (input >= info->tensor_count) return false;
    return manifest->output_tensors[info->first_tensor + input].element_type == RUNE_UTF8;
}

static int32_t output_write(rune_aot_instance *instance, uint64_t *values) {
    const uint32_t output = (uint32_t)values[0], input = (uint32_t)values[1];
    const uint32_t address = (uint32_t)values[2], length = (uint32_t)values[3];
    const uint8_t *data = rune_aot_memory_range(instance, address, length);
    if (data == NULL) return refuse("output_write's buffer lies outside the rune's memory");
    const void *tensor = data;
    if (is_utf8_tensor(output, input)) {
        tensor = translate_strings(instance, output, data, length);
        if (tensor == NULL) return RUNE_AOT_TRAP_HOST;
    }
    values[0] = (uint32_t)rune_output_write(output, input, tensor, length);
    return 0;
}

static int32_t log_write(rune_aot_instance *instance, uint64_t *values) {
    const uint32_t level = (uint32_t)values[0], address = (uint32_t)values[1], length = (uint32_t)values[2];
    const uint8_t *message = rune_aot_memory_range(instance, address, length);
    if (message == NULL) return refuse("a log message lies outside the rune's memory");
    rune_log_write(level, (const char *)message, length);
    return 0;
}

const rune_aot_host_export rune_aot_host_exports[] = {
    {"rune", "capability_read", "iii:i", capability_read},
    {"rune", "output_write", "iiii:i", output_write},
    {"rune", "log", "iii:", log_write},
};
const uint32_t rune_aot_host_export_count = sizeof rune_aot_host_exports / sizeof rune_aot_host_exports[0];
