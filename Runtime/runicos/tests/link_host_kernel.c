/*
 * link_host_kernel.c - the kernel side of RunicOS (kernel.h) for host tests
 * of the link protocol: two slots over a host buffer standing in for flash,
 * the real slots.c on top, and a pretend rune whose only capability (index
 * 0) takes LINK_HOST_INPUT_BYTES. Included by smp_test.c and link_harness.c
 * together with the sources under test, so each builds as one file.
 *
 * The layout is mps2-an500's shape at made-up addresses; images for it come
 * from link_host_build_image (and, in Swift, RuneLinkTests' image builder).
 */
#include "runicos/kernel.h"
#include "cortex-m/sha256.h"

#define LINK_HOST_SLOT_A 0x00200000u
#define LINK_HOST_SLOT_BYTES 0x00010000u
#define LINK_HOST_RAM 0x20040000u
#define LINK_HOST_RAM_BYTES 0x00010000u
#define LINK_HOST_INPUT_BYTES 16u

static uint8_t link_host_flash[2 * LINK_HOST_SLOT_BYTES];

static bool link_host_inside(uint32_t address, uint32_t length) {
    return address >= LINK_HOST_SLOT_A && address - LINK_HOST_SLOT_A <= sizeof link_host_flash &&
           length <= sizeof link_host_flash - (address - LINK_HOST_SLOT_A);
}

static int link_host_erase(void *state, uint32_t address, uint32_t length) {
    (void)state;
    if (!link_host_inside(address, length)) return -1;
    for (uint32_t i = length; i > 0; i--) link_host_flash[address - LINK_HOST_SLOT_A + i - 1] = 0xFF;
    return 0;
}

static int link_host_program(void *state, uint32_t address, const uint8_t *data, uint32_t length) {
    (void)state;
    if (!link_host_inside(address, length)) return -1;
    for (uint32_t i = 0; i < length; i++) link_host_flash[address - LINK_HOST_SLOT_A + i] = data[i];
    return 0;
}

static const uint8_t *link_host_map(void *state, uint32_t address) {
    (void)state;
    if (!link_host_inside(address, 0)) return 0;
    return link_host_flash + (address - LINK_HOST_SLOT_A);
}

static const runicos_storage link_host_storage = {
    .erase = link_host_erase, .program = link_host_program, .map = link_host_map, .program_unit = 4, .state = 0,
};

static const runicos_layout link_host_layout = {
    .board = "mps2-an500",
    .slot_address = {LINK_HOST_SLOT_A, LINK_HOST_SLOT_A + LINK_HOST_SLOT_BYTES},
    .slot_bytes = LINK_HOST_SLOT_BYTES,
    .ram_address = LINK_HOST_RAM,
    .ram_bytes = LINK_HOST_RAM_BYTES,
};

static runicos_slots link_host_slots;
static uint32_t link_host_rune_changes;
static uint64_t link_host_calls;
static uint32_t link_host_uptime_ms;
static uint8_t link_host_input[LINK_HOST_INPUT_BYTES];
static uint32_t link_host_inputs;

/* Power on: the slots as storage holds them (a reset keeps storage). */
static void link_host_boot(void) {
    runicos_slots_init(&link_host_slots, &link_host_storage, &link_host_layout);
    link_host_calls = 0;
}

/* Wipes storage: a device fresh from the factory. */
static void link_host_wipe(void) {
    for (uint32_t i = 0; i < sizeof link_host_flash; i++) link_host_flash[i] = 0xFF;
    link_host_rune_changes = 0;
    link_host_inputs = 0;
    link_host_boot();
}

void runicos_kernel_status(runicos_status *status) {
    const int32_t active = runicos_slots_active(&link_host_slots);
    status->board = link_host_layout.board;
    status->abi_version = RUNICOS_ABI_VERSION;
    status->active_slot = active;
    for (uint32_t i = 0; i < 32; i++) status->rune_sha256[i] = 0;
    /* Nothing runs here: no times and no stack to report, only the RAM the image declares. */
    status->rune_calls = status->rune_cycles = 0;
    status->last_call_cycles = status->ram_bytes = status->stack_peak_bytes = 0;
    if (active >= 0) {
        runicos_image_header header;
        runicos_image_read_header(runicos_slots_image(&link_host_slots, (uint32_t)active), &header);
        for (uint32_t i = 0; i < 32; i++) status->rune_sha256[i] = header.rune_sha256[i];
        status->ram_bytes = header.data_bytes + header.bss_bytes;
    }
    status->calls = link_host_calls;
    status->traps = 0;
    status->uptime_ms = link_host_uptime_ms;
}

runicos_slots *runicos_kernel_slots(void) { return &link_host_slots; }

void runicos_kernel_rune_changed(void) {
    link_host_rune_changes++;
    link_host_calls = 0;
}

/* As the kernel does it, less the unmapping: the host has no MPU. */
int runicos_kernel_leave_active(void) {
    const int32_t active = runicos_slots_active(&link_host_slots);
    if (active < 0) return -1;
    runicos_kernel_rune_changed();
    return runicos_slots_revoke(&link_host_slots, (uint32_t)active) == RUNICOS_SLOT_OK ? 0 : -1;
}

int runicos_kernel_stream_input(uint32_t index, uint32_t offset, const uint8_t *data, uint32_t length) {
    if (runicos_slots_active(&link_host_slots) < 0 || index != 0 || offset != 0 || length != LINK_HOST_INPUT_BYTES) return -1;
    for (uint32_t i = 0; i < length; i++) link_host_input[i] = data[i];
    link_host_inputs++;
    return 0;
}

static void link_host_put_u32(uint8_t *at, uint32_t value) {
    for (uint32_t i = 0; i < 4; i++) at[i] = (uint8_t)(value >> (8 * i));
}

/*
 * A valid image for slot `slot` of the host layout (image.h): the header,
 * `text_bytes` of code (the module descriptor at its start), a manifest blob
 * holding `manifest`, and the SHA-256 trailer. Returns its length, or 0 if
 * `capacity` is too small.
 */
__attribute__((unused)) static uint32_t link_host_build_image(uint8_t *out, uint32_t capacity, uint32_t slot, uint32_t text_bytes,
                                      const uint8_t *manifest, uint32_t manifest_length, const uint8_t rune_hash[32]) {
    text_bytes = (text_bytes + 7u) & ~7u;
    if (text_bytes < 8) text_bytes = 8;
    const uint32_t text_offset = RUNICOS_IMAGE_HEADER_BYTES;
    const uint32_t manifest_offset = text_offset + text_bytes;
    const uint32_t total = manifest_offset + 4 + manifest_length + RUNICOS_IMAGE_TRAILER_BYTES;
    if (total > capacity) return 0;
    for (uint32_t i = 0; i < total; i++) out[i] = 0;
    const uint32_t load = link_host_layout.slot_address[slot];
    link_host_put_u32(out + 0, RUNICOS_IMAGE_MAGIC);
    out[4] = RUNICOS_IMAGE_FORMAT_VERSION;
    out[6] = RUNICOS_IMAGE_HEADER_BYTES;
    link_host_put_u32(out + 8, RUNICOS_ABI_VERSION);
    link_host_put_u32(out + 12, total);
    for (uint32_t i = 0; link_host_layout.board[i] != 0; i++) out[16 + i] = (uint8_t)link_host_layout.board[i];
    link_host_put_u32(out + 32, load);
    link_host_put_u32(out + 36, text_offset);
    link_host_put_u32(out + 40, text_bytes);
    link_host_put_u32(out + 44, manifest_offset); /* no initialised data */
    link_host_put_u32(out + 48, 0);
    link_host_put_u32(out + 52, LINK_HOST_RAM + RUNICOS_CONTROL_BLOCK_BYTES);
    link_host_put_u32(out + 56, 256);  /* bss */
    link_host_put_u32(out + 60, 4096); /* stack */
    link_host_put_u32(out + 64, manifest_offset);
    link_host_put_u32(out + 68, 4 + manifest_length);
    link_host_put_u32(out + 72, load + text_offset);
    link_host_put_u32(out + 76, 1);
    for (uint32_t i = 0; i < 32; i++) out[84 + i] = rune_hash[i];
    for (uint32_t i = 0; i < text_bytes; i++) out[text_offset + i] = (uint8_t)(i * 7u + slot);
    link_host_put_u32(out + manifest_offset, manifest_length);
    for (uint32_t i = 0; i < manifest_length; i++) out[manifest_offset + 4 + i] = manifest[i];
    rune_sha256 hash;
    rune_sha256_init(&hash);
    rune_sha256_update(&hash, out, total - RUNICOS_IMAGE_TRAILER_BYTES);
    rune_sha256_final(&hash, out + total - RUNICOS_IMAGE_TRAILER_BYTES);
    return total;
}
