/*
 * firmware.c - the boot sequence: what `rune run` does on a workstation, done
 * by the firmware itself. Check the manifest, refuse before any of the rune's
 * code runs if the board cannot feed it, then call it and print its records.
 */
#include "cortex-m/firmware.h"
#include "cortex-m/board.h"
#include "cortex-m/boot.h"
#include "cortex-m/capabilities.h"
#include "cortex-m/console.h"
#include "cortex-m/manifest.h"
#include "cortex-m/outputs.h"

/* Static: a large rune's view is a few kilobytes, too much for some stacks. */
static rune_manifest_view manifest;

int rune_firmware_main(void) {
    const int refused = rune_boot_prepare(rune_manifest(), &manifest);
    if (refused != 0) return refused;

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
        if (rune_boot_check_status(status) != 0) return 1;
        if (rune_outputs_finish_call() != 0) return 1;
    }
    rune_boot_report_timing(calls, total_cycles);
    return 0;
}
