/*
 * smp_serial.h - the MCUmgr SMP serial ("console") transport.
 *
 * A packet is the SMP message wrapped as [length u16 BE][message][CRC u16 BE],
 * where length counts the message and the CRC, and the CRC is CRC-16/XMODEM
 * over the message. The packet is base64-encoded and cut into lines: the
 * first starts with 0x06 0x09, every further one with 0x04 0x14, and each
 * ends in '\n'. The serial port also carries console text, so the decoder
 * skips every byte outside a frame and a broken frame costs only itself: the
 * next 0x06 0x09 starts over.
 *
 * The decoder takes one byte at a time from a hostile line and never holds
 * more than RUNICOS_SMP_PACKET_BYTES.
 */
#ifndef RUNICOS_SMP_SERIAL_H
#define RUNICOS_SMP_SERIAL_H

#include "rune.h"
#include "runicos/link/link_limits.h"

/* CRC-16/XMODEM (poly 0x1021, init 0, no reflection): `crc` is 0 for a fresh
 * computation or the result over the bytes before `data`. */
uint16_t runicos_crc16_xmodem(uint16_t crc, const uint8_t *data, uint32_t length);

/* Standard base64 with padding. Encode: the text length (4 per 3 bytes,
 * rounded up), or -1 if `capacity` is too small. Decode: the byte count, or
 * -1 for bad characters, bad padding, a length not a multiple of 4, or too
 * little `capacity`. Neither writes a terminating NUL. */
int32_t runicos_base64_encode(const uint8_t *data, uint32_t length, char *text, uint32_t capacity);
int32_t runicos_base64_decode(const char *text, uint32_t length, uint8_t *data, uint32_t capacity);

typedef enum runicos_smp_serial_event {
    RUNICOS_SMP_SERIAL_NONE = 0,      /* the byte was taken; nothing finished */
    RUNICOS_SMP_SERIAL_PACKET = 1,    /* a whole packet with a good CRC: see runicos_smp_decoder_message */
    RUNICOS_SMP_SERIAL_BAD_BASE64 = 2,/* a character, padding or line end that is not base64 */
    RUNICOS_SMP_SERIAL_OVERSIZED = 3, /* the announced length exceeds the packet buffer */
    RUNICOS_SMP_SERIAL_BAD_LENGTH = 4,/* more bytes than announced, or a length with no room for a CRC */
    RUNICOS_SMP_SERIAL_BAD_CRC = 5,
    RUNICOS_SMP_SERIAL_TRUNCATED = 6, /* a new frame began before this one was whole */
} runicos_smp_serial_event;

typedef struct runicos_smp_decoder {
    uint8_t state;
    uint8_t sextets;     /* base64 characters held in `quantum` (0-3) */
    uint8_t padded;      /* where the line's padding stands (PAD_* in smp_serial.c) */
    uint32_t quantum;    /* the held characters' bits */
    uint32_t used;       /* decoded bytes in `packet` */
    uint32_t expected;   /* 2 + the announced length, once the first two bytes are in; else 0 */
    uint8_t packet[RUNICOS_SMP_PACKET_BYTES];
} runicos_smp_decoder;

void runicos_smp_decoder_init(runicos_smp_decoder *decoder);

/* Takes the next byte from the line. After RUNICOS_SMP_SERIAL_PACKET the
 * message stays readable until the next call; after an error the decoder
 * already looks for the next frame start. */
runicos_smp_serial_event runicos_smp_decoder_feed(runicos_smp_decoder *decoder, uint8_t byte);

/* The message of the packet just completed, and its length. */
const uint8_t *runicos_smp_decoder_message(const runicos_smp_decoder *decoder, uint32_t *length);

typedef void (*runicos_smp_write_fn)(void *context, const uint8_t *data, uint32_t length);

/* Writes `message` as one frame of lines of at most RUNICOS_SMP_LINE_BYTES
 * through `write` (once per line). 0, or -1 (nothing written) if the message
 * is longer than RUNICOS_SMP_MESSAGE_BYTES. */
int runicos_smp_encode(const uint8_t *message, uint32_t length, runicos_smp_write_fn write, void *context);

#endif /* RUNICOS_SMP_SERIAL_H */
