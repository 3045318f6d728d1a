/*
 * boot.c - the shared steps of the boot sequences (boot.h).
 */
#include "cortex-m/boot.h"
#include "cortex-m/capabilities.h"
#include "cortex-m/console.h"
#include "cortex-m/firmware.h"
#include "cortex-m/outputs.h"

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

int rune_boot_prepare(const uint8_t *blob, rune_manifest_view *view) {
    rune_manifest_error error;
    if (rune_manifest_parse(blob, view, &error) != 0) {
        rune_console_text("error: malformed manifest at byte ");
        rune_console_u64(error.offset);
        rune_console_text(": ");
        rune_console_text(error.message);
        rune_console_end_line();
        return 2;
    }
    if (rune_capabilities_prepare(view) != 0) return 1;
    rune_outputs_prepare(view);
    return 0;
}

int rune_boot_check_status(int32_t status) {
    if (status == RUNE_OK) return 0;
    rune_console_text("error: the rune failed with status ");
    rune_console_i64(status);
    rune_console_end_line();
    return 1;
}

void rune_boot_report_timing(uint32_t calls, uint64_t total_cycles) {
    if (rune_firmware_report_timing == 0) return;
    rune_console_text("timing: ");
    rune_console_u64(calls);
    rune_console_text(" calls, ");
    rune_console_u64(divide_u64(total_cycles, calls));
    rune_console_text(" cycles per call");
    rune_console_end_line();
}
