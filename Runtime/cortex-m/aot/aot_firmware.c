/*
 * aot_firmware.c - the boot sequence of firmware running a rune as native
 * code translated from its WebAssembly (`runec aot --target cortex-m7
 * --board B`): firmware.c's sequence, with the rune behind its instance.
 * Instantiate, check the manifest `_manifest()` returns, refuse before any
 * call if the board cannot feed it, then call `_call` and print the records.
 * A trap stops the firmware with one error line, as `rune run` stops.
 *
 * The rune's object provides exactly one symbol, its module descriptor; the
 * rune reaches this firmware only through the context's function pointers.
 */
#include "cortex-m/firmware.h"
#include "cortex-m/board.h"
#include "cortex-m/boot.h"
#include "cortex-m/capabilities.h"
#include "cortex-m/console.h"
#include "cortex-m/manifest.h"
#include "cortex-m/outputs.h"
#include "cortex-m/aot/aot_host.h"

extern const rune_aot_module rune_aot_descriptor;

static rune_aot_instance instance;
/* Static: a large rune's view is a few kilobytes, too much for some stacks. */
static rune_manifest_view manifest;

static void report_trap(const char *where, int32_t code) {
    rune_console_text("error: the rune trapped");
    rune_console_text(where);
    rune_console_text(": ");
    rune_console_text(rune_aot_trap_reason(code));
    rune_console_end_line();
}

/* `_manifest()`'s blob, checked to lie inside the rune's memory, or NULL. */
static const uint8_t *manifest_blob(const rune_aot_export_entry *function) {
    uint64_t values[1] = {0};
    const int32_t code = rune_aot_invoke(&instance, function, values);
    if (code != 0) {
        report_trap(" in _manifest", code);
        return NULL;
    }
    const uint32_t address = (uint32_t)values[0];
    const uint8_t *header = rune_aot_memory_range(&instance, address, 4);
    if (header == NULL) {
        rune_console_text("error: '_manifest' returned an address outside the rune's memory");
        rune_console_end_line();
        return NULL;
    }
    const uint32_t length = (uint32_t)header[0] | (uint32_t)header[1] << 8 | (uint32_t)header[2] << 16 | (uint32_t)header[3] << 24;
    if (address > 0xFFFFFFFBu || rune_aot_memory_range(&instance, address + 4, length) == NULL) {
        rune_console_text("error: the manifest '_manifest' returned runs past the end of memory");
        rune_console_end_line();
        return NULL;
    }
    return header;
}

int rune_firmware_main(void) {
    if (rune_aot_instantiate(&instance, &rune_aot_descriptor, rune_aot_host_exports, rune_aot_host_export_count) != 0) return 1;
    const rune_aot_export_entry *manifest_function = rune_aot_find_export(&rune_aot_descriptor, "_manifest", ":i");
    const rune_aot_export_entry *call = rune_aot_find_export(&rune_aot_descriptor, "_call", ":i");
    if (manifest_function == NULL || call == NULL) {
        rune_console_text("error: the rune lacks '_manifest' or '_call' (taking nothing, returning an i32)");
        rune_console_end_line();
        return 1;
    }
    const uint8_t *blob = manifest_blob(manifest_function);
    if (blob == NULL) return 1;
    const int refused = rune_boot_prepare(blob, &manifest);
    if (refused != 0) return refused;
    rune_aot_host_prepare(&manifest);

    uint64_t total_cycles = 0;
    uint32_t calls = 0;
    for (;;) {
        if (rune_firmware_iterations != 0 && calls == rune_firmware_iterations) break;
        rune_outputs_begin_call();
        rune_aot_host_begin_call();
        uint64_t values[1] = {0};
        const uint32_t start = rune_board_cycles();
        const int32_t code = rune_aot_invoke(&instance, call, values);
        /* Unsigned subtraction stays right across one wrap of the counter. */
        total_cycles += (uint32_t)(rune_board_cycles() - start);
        calls++;
        if (code != 0) {
            report_trap("", code);
            return 1;
        }
        if (rune_boot_check_status((int32_t)(uint32_t)values[0]) != 0) return 1;
        if (rune_outputs_finish_call() != 0) return 1;
    }
    rune_boot_report_timing(calls, total_cycles);
    return 0;
}
