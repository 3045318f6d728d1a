/*
 * link.c - the serial port, the SMP frame decoder and the server, joined
 * (link.h). The decoder and the response buffer are static: a packet of
 * RUNICOS_SMP_PACKET_BYTES and a message of RUNICOS_SMP_MESSAGE_BYTES.
 */
#include "runicos/link/link.h"
#include "runicos/link/smp_serial.h"
#include "runicos/link/smp_server.h"
#include "cortex-m/board.h"

static runicos_smp_decoder decoder;
static bool decoder_ready;
static uint8_t response[RUNICOS_SMP_MESSAGE_BYTES];

static void write_serial(void *context, const uint8_t *data, uint32_t length) {
    (void)context;
    rune_board_serial_write((const char *)data, length);
}

void runicos_link_poll(void) {
    if (!decoder_ready) {
        runicos_smp_decoder_init(&decoder);
        decoder_ready = true;
    }
    uint8_t byte;
    int read;
    while ((read = rune_board_serial_read(&byte)) != RUNE_SERIAL_NONE) {
        if (read == RUNE_SERIAL_LOST) {
            /* Bytes went missing here: the frame being decoded is abandoned
             * whole (its sender resends it), never joined across the gap. */
            runicos_smp_decoder_init(&decoder);
            continue;
        }
        if (runicos_smp_decoder_feed(&decoder, byte) != RUNICOS_SMP_SERIAL_PACKET) continue;
        uint32_t length;
        const uint8_t *message = runicos_smp_decoder_message(&decoder, &length);
        const runicos_smp_result result = runicos_smp_handle(message, length, response);
        if (result.response_bytes != 0) runicos_smp_encode(response, result.response_bytes, write_serial, 0);
        if (result.reset) rune_board_reset();
    }
}
