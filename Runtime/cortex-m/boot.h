/*
 * boot.h - the steps every firmware's boot sequence shares: direct firmware
 * (firmware.c, the pipeline's C) and translated runes (aot/aot_firmware.c).
 */
#ifndef RUNE_CORTEX_M_BOOT_H
#define RUNE_CORTEX_M_BOOT_H

#include "cortex-m/manifest.h"

/*
 * Reads the manifest blob into `view`, refuses a rune the board cannot feed,
 * and readies the outputs. Returns the exit status to stop with (2 for a
 * malformed manifest, 1 for a refusal, with the reason printed), or 0.
 */
int rune_boot_prepare(const uint8_t *blob, rune_manifest_view *view);

/* 0 for RUNE_OK; otherwise prints the status as `rune run` does and returns 1. */
int rune_boot_check_status(int32_t status);

/* "timing: N calls, C cycles per call", when the build asked for it. */
void rune_boot_report_timing(uint32_t calls, uint64_t total_cycles);

#endif /* RUNE_CORTEX_M_BOOT_H */
