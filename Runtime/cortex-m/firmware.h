/*
 * firmware.h - the contract between runec's generated firmware C and this
 * runtime.
 *
 * runec compiles the pipeline exactly as for WebAssembly (rune_manifest,
 * rune_call, rune_stage from rune.h) and adds the definitions below: the
 * inputs embedded at build time and a few constants. The runtime supplies the
 * three imports of rune.h natively and the boot sequence, rune_firmware_main.
 */
#ifndef RUNE_CORTEX_M_FIRMWARE_H
#define RUNE_CORTEX_M_FIRMWARE_H

#include "rune.h"

/* One capability's recorded reading, replayed on every call like the host's
 * `--raw NAME=FILE`: `length` must be the declared tensor's byte count. */
typedef struct rune_embedded_input {
    uint32_t capability; /* index in the manifest */
    const uint8_t *data;
    uint32_t length;
} rune_embedded_input;

/* Defined by runec. */
extern const rune_embedded_input rune_embedded_inputs[];
extern const uint32_t rune_embedded_input_count;
/* How many times to call the rune; 0 runs it until power-off. */
extern const uint32_t rune_firmware_iterations;
/* The seed of every RAND capability (the host's `--random SEED`). */
extern const uint64_t rune_firmware_random_seed;
/* Non-zero prints "timing: N calls, C cycles per call" after the calls. */
extern const uint32_t rune_firmware_report_timing;
/* Non-zero checks each call's SERIAL records but does not print them, so a
 * benchmark of many calls is not bound by the serial port. */
extern const uint32_t rune_firmware_quiet_outputs;

/*
 * Parses the manifest, refuses a rune whose capabilities this board cannot
 * feed, then calls it and prints each call's SERIAL records. Returns the exit
 * status: 0 success, 1 refused or failed, 2 malformed manifest.
 */
int rune_firmware_main(void);

/* Static limits, since nothing here allocates. A rune beyond them is
 * refused with a message; raise them with -D when building. */
#ifndef RUNE_FIRMWARE_MAX_CAPABILITIES
#define RUNE_FIRMWARE_MAX_CAPABILITIES 32
#endif
#ifndef RUNE_FIRMWARE_MAX_OUTPUTS
#define RUNE_FIRMWARE_MAX_OUTPUTS 16
#endif
#ifndef RUNE_FIRMWARE_MAX_OUTPUT_TENSORS
#define RUNE_FIRMWARE_MAX_OUTPUT_TENSORS 64
#endif

#endif /* RUNE_CORTEX_M_FIRMWARE_H */
