/*
 * link_qemu.c - a RunicOS link test firmware for QEMU's mps2-an500: the real
 * board file (CMSDK UART receive, SYSRESETREQ), the link, the slots over
 * runicos_ram_storage, and this kernel, which loads no rune; it only serves
 * the link. RuneLinkTests builds it with the toolchain's clang and ld.lld
 * (startup.c, builtins.c and the sources below) and talks to it over QEMU's
 * TCP serial port:
 *
 *   clang --target=thumbv7em-none-eabihf -mcpu=cortex-m7 -ffreestanding
 *         -nostdlib -I Runtime/include -I Runtime ... -T mps2-an500.ld
 *
 * The slots and the rune's RAM lie above the firmware's own 1 MB of SSRAM2
 * (.data, .bss, stack), which a reset does not clear: QEMU reloads only the
 * firmware's own segments, so slots survive a reset as flash would.
 */
#include "runicos/kernel.h"
#include "runicos/link/link.h"
#include "cortex-m/board.h"
#include "cortex-m/firmware.h"

#define QEMU_RUNE_RAM 0x20100000u
#define QEMU_SLOT_A 0x20200000u
#define QEMU_SLOT_BYTES 0x00100000u
#define QEMU_INPUT_BYTES 16u

static const runicos_layout qemu_layout = {
    .board = "mps2-an500",
    .slot_address = {QEMU_SLOT_A, QEMU_SLOT_A + QEMU_SLOT_BYTES},
    .slot_bytes = QEMU_SLOT_BYTES,
    .ram_address = QEMU_RUNE_RAM,
    .ram_bytes = 0x00100000u,
};

static runicos_slots qemu_slots;
static uint64_t qemu_inputs;

void runicos_kernel_status(runicos_status *status) {
    const int32_t active = runicos_slots_active(&qemu_slots);
    status->board = rune_board_name();
    status->abi_version = RUNICOS_ABI_VERSION;
    status->active_slot = active;
    for (uint32_t i = 0; i < 32; i++) status->rune_sha256[i] = 0;
    if (active >= 0) {
        runicos_image_header header;
        runicos_image_read_header(runicos_slots_image(&qemu_slots, (uint32_t)active), &header);
        for (uint32_t i = 0; i < 32; i++) status->rune_sha256[i] = header.rune_sha256[i];
    }
    /* No rune runs here: "calls" counts the inputs streamed, so a test can see them land. */
    status->calls = qemu_inputs;
    status->traps = 0;
    status->uptime_ms = rune_board_cycles() / (rune_board_clock_hz() / 1000u);
}

runicos_slots *runicos_kernel_slots(void) { return &qemu_slots; }

void runicos_kernel_rune_changed(void) {}

int runicos_kernel_stream_input(uint32_t index, const uint8_t *data, uint32_t length) {
    (void)data;
    if (runicos_slots_active(&qemu_slots) < 0 || index != 0 || length != QEMU_INPUT_BYTES) return -1;
    qemu_inputs++;
    return 0;
}

/* startup.c's configuration of a rune firmware, unused by this one. */
const rune_embedded_input rune_embedded_inputs[1];
const uint32_t rune_embedded_input_count = 0;
const uint32_t rune_firmware_iterations = 0;
const uint64_t rune_firmware_random_seed = 0;
const uint32_t rune_firmware_report_timing = 0;
const uint32_t rune_firmware_quiet_outputs = 0;

int rune_firmware_main(void) {
    runicos_slots_init(&qemu_slots, &runicos_ram_storage, &qemu_layout);
    const char banner[] = "runicos link test firmware ready\n";
    rune_board_serial_write(banner, sizeof banner - 1);
    for (;;) runicos_link_poll();
}
