/*
 * storage_ram.c - slots in RAM (mps2-an500, whose QEMU model has no flash to
 * keep runes in): erasing fills with 0xFF so slots.c sees the same erased
 * state as on flash, programming copies, and an address is its own pointer.
 *
 * Nothing survives a reset here, so no ordering matters for power cuts; the
 * erase still runs from the top down, as slots.h promises of every storage.
 */
#include "runicos/slots.h"

static int ram_erase(void *state, uint32_t address, uint32_t length) {
    (void)state;
    if (length != 0 && length - 1u > 0xFFFFFFFFu - address) return -1; /* would wrap past 2^32 */
    uint8_t *bytes = (uint8_t *)(uintptr_t)address;
    for (uint32_t i = length; i > 0; i--) bytes[i - 1] = 0xFF;
    return 0;
}

static int ram_program(void *state, uint32_t address, const uint8_t *data, uint32_t length) {
    (void)state;
    if (length != 0 && length - 1u > 0xFFFFFFFFu - address) return -1;
    if ((address & 3u) != 0 || (length & 3u) != 0) return -1;
    uint8_t *bytes = (uint8_t *)(uintptr_t)address;
    for (uint32_t i = 0; i < length; i++) bytes[i] = data[i];
    return 0;
}

static const uint8_t *ram_map(void *state, uint32_t address) {
    (void)state;
    return (const uint8_t *)(uintptr_t)address;
}

const runicos_storage runicos_ram_storage = {
    .erase = ram_erase,
    .program = ram_program,
    .map = ram_map,
    .program_unit = 4,
    .state = NULL,
};
