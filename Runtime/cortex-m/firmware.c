/*
 * firmware.c - the boot sequence: what `rune run` does on a workstation, done
 * by the firmware itself. Check the manifest, refuse before any of the rune's
 * code runs if the board cannot feed it, then call it and print its records.
 */
#include "cortex-m/firmware.h"
#include "cortex-m/board.h"
#include "cortex-m/capabilities.h"
#include "cortex-m/console.h"
#include "cortex-m/manifest.h"
#include "cortex-m/outputs.h"

/* Static: a large rune's view is a few kilobytes, too much for some stacks. */
static rune_manifest_view manifest;

/* numerator / denominator without the 64-bit division helper of libgcc. */
static uint64_t divide_u64(uint64_t numerator, uint64_t denominator) {
    if (denominator == 0) return 0;
    uint64_t quotient = 0, remainder = 0;
    for (int bit = 63; bit >= 0; bit--) {
        remainder = (remainder << 1) | ((numerator >> bit) & 1);
        if (remainder >= denominator) {
            remainder -= denominator;
            quotient |= (uint64_t)1 << bit;
        }
    }
    return quotient;
}

int rune_firmware_main(void) {
    rune_manifest_error error;
    if (rune_manifest_parse(rune_manifest(), &manifest, &error) != 0) {
        rune_console_text("error: malformed manifest at byte ");
        rune_console_u64(error.offset);
        rune_console_text(": ");
        rune_console_text(error.message);
        rune_console_end_line();
        return 2;
    }
    if (rune_capabilities_prepare(&manifest) != 0) return 1;
    rune_outputs_prepare(&manifest);

    uint64_t total_cycles = 0;
    uint32_t calls = 0;
    for (;;) {
        if (rune_firmware_iterations != 0 && calls == rune_firmware_iterations) break;
        rune_outputs_begin_call();
        const uint32_t start = rune_board_cycles();
        const int32_t status = rune_call();
        /* Unsigned subtraction stays right across one wrap of the counter. */
        total_cycles += (uint32_t)(rune_board_cycles() - start);
        calls++;
        if (status != RUNE_OK) {
            rune_console_text("error: the rune failed with status ");
            rune_console_i64(status);
            rune_console_end_line();
            return 1;
        }
        if (rune_outputs_finish_call() != 0) return 1;
    }

    if (rune_firmware_report_timing != 0) {
        rune_console_text("timing: ");
        rune_console_u64(calls);
        rune_console_text(" calls, ");
        rune_console_u64(divide_u64(total_cycles, calls));
        rune_console_text(" cycles per call");
        rune_console_end_line();
    }
    return 0;
}
