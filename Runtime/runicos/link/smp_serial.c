/*
 * smp_serial.c - the SMP serial transport (smp_serial.h): CRC, base64, the
 * byte-at-a-time frame decoder and the line encoder.
 */
#include "runicos/link/smp_serial.h"

#define START_0 0x06u
#define START_1 0x09u
#define CONTINUE_0 0x04u
#define CONTINUE_1 0x14u

_Static_assert(RUNICOS_SMP_PACKET_BYTES >= 16 && RUNICOS_SMP_PACKET_BYTES - 2 <= 0xFFFFu,
               "the length prefix must be able to describe a full packet");
_Static_assert(RUNICOS_SMP_LINE_BYTES >= 8, "a line must hold a delimiter, a base64 quantum and a newline");

uint16_t runicos_crc16_xmodem(uint16_t crc, const uint8_t *data, uint32_t length) {
    for (uint32_t i = 0; i < length; i++) {
        crc ^= (uint16_t)(data[i] << 8);
        for (int bit = 0; bit < 8; bit++) crc = (crc & 0x8000u) ? (uint16_t)((uint32_t)crc << 1 ^ 0x1021u) : (uint16_t)((uint32_t)crc << 1);
    }
    return crc;
}

static const char base64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 6-bit value of a base64 character, or -1. */
static int base64_sextet(uint8_t c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

static void base64_quantum(const uint8_t *in, uint32_t count, char out[4]) {
    uint32_t bits = (uint32_t)in[0] << 16 | (count > 1 ? (uint32_t)in[1] << 8 : 0) | (count > 2 ? in[2] : 0);
    out[0] = base64_alphabet[bits >> 18 & 63];
    out[1] = base64_alphabet[bits >> 12 & 63];
    out[2] = count > 1 ? base64_alphabet[bits >> 6 & 63] : '=';
    out[3] = count > 2 ? base64_alphabet[bits & 63] : '=';
}

int32_t runicos_base64_encode(const uint8_t *data, uint32_t length, char *text, uint32_t capacity) {
    const uint64_t needed = ((uint64_t)length + 2) / 3 * 4;
    if (needed > capacity || needed > 0x7FFFFFFFu) return -1;
    uint32_t written = 0;
    for (uint32_t i = 0; i < length; i += 3) {
        base64_quantum(data + i, length - i < 3 ? length - i : 3, text + written);
        written += 4;
    }
    return (int32_t)written;
}

int32_t runicos_base64_decode(const char *text, uint32_t length, uint8_t *data, uint32_t capacity) {
    if (length % 4 != 0) return -1;
    uint32_t written = 0;
    for (uint32_t i = 0; i < length; i += 4) {
        const bool last = i + 4 == length;
        uint32_t bits = 0, count = 3;
        for (uint32_t j = 0; j < 4; j++) {
            const uint8_t c = (uint8_t)text[i + j];
            int value = base64_sextet(c);
            if (value < 0) {
                /* '=' only in the last quantum's final one or two places, and nothing but '=' after it. */
                if (c != '=' || !last || j < 2) return -1;
                if (j == 2 && text[i + 3] != '=') return -1;
                if (count == 3) count = j - 1;
                value = 0;
            }
            bits = bits << 6 | (uint32_t)value;
        }
        if (count > capacity - written) return -1;
        data[written++] = (uint8_t)(bits >> 16);
        if (count > 1) data[written++] = (uint8_t)(bits >> 8);
        if (count > 2) data[written++] = (uint8_t)bits;
    }
    return (int32_t)written;
}

enum {
    SEEK = 0,         /* outside a frame: console text */
    SEEK_START_1,     /* saw 0x06 outside a frame */
    LINE,             /* inside a line of base64 */
    BETWEEN,          /* a line ended, the packet is not whole: waiting for 0x04 0x14 */
    BETWEEN_CONT_1,   /* saw 0x04 between lines */
    BETWEEN_START_1,  /* saw 0x06 between lines */
};

void runicos_smp_decoder_init(runicos_smp_decoder *decoder) {
    decoder->state = SEEK;
    decoder->sextets = 0;
    decoder->padded = 0;
    decoder->quantum = 0;
    decoder->used = 0;
    decoder->expected = 0;
}

static void begin_frame(runicos_smp_decoder *decoder) {
    runicos_smp_decoder_init(decoder);
    decoder->state = LINE;
}

static void begin_line(runicos_smp_decoder *decoder) {
    decoder->state = LINE;
    decoder->sextets = 0;
    decoder->padded = 0;
    decoder->quantum = 0;
}

/* A failed frame: report it and look for the next start. */
static runicos_smp_serial_event frame_fail(runicos_smp_decoder *decoder, runicos_smp_serial_event event) {
    runicos_smp_decoder_init(decoder);
    return event;
}

/* One decoded byte into the packet. NONE, or the error that ends the frame. */
static runicos_smp_serial_event frame_put(runicos_smp_decoder *decoder, uint8_t byte) {
    if (decoder->expected != 0 && decoder->used >= decoder->expected) return RUNICOS_SMP_SERIAL_BAD_LENGTH;
    if (decoder->used >= RUNICOS_SMP_PACKET_BYTES) return RUNICOS_SMP_SERIAL_OVERSIZED;
    decoder->packet[decoder->used++] = byte;
    if (decoder->used == 2) {
        const uint32_t length = (uint32_t)decoder->packet[0] << 8 | decoder->packet[1];
        if (length < 2) return RUNICOS_SMP_SERIAL_BAD_LENGTH;
        if (length > RUNICOS_SMP_PACKET_BYTES - 2) return RUNICOS_SMP_SERIAL_OVERSIZED;
        decoder->expected = 2 + length;
    }
    return RUNICOS_SMP_SERIAL_NONE;
}

static runicos_smp_serial_event frame_end_line(runicos_smp_decoder *decoder) {
    if (decoder->sextets != 0) return frame_fail(decoder, RUNICOS_SMP_SERIAL_BAD_BASE64);
    if (decoder->expected == 0 || decoder->used < decoder->expected) {
        decoder->state = BETWEEN;
        return RUNICOS_SMP_SERIAL_NONE;
    }
    const uint32_t message = decoder->expected - 4;
    const uint16_t crc = (uint16_t)(decoder->packet[2 + message] << 8 | decoder->packet[3 + message]);
    if (runicos_crc16_xmodem(0, decoder->packet + 2, message) != crc) return frame_fail(decoder, RUNICOS_SMP_SERIAL_BAD_CRC);
    decoder->state = SEEK;
    return RUNICOS_SMP_SERIAL_PACKET;
}

/* The `count` bytes of a finished quantum (its bits left-aligned in 24). */
static runicos_smp_serial_event frame_put_quantum(runicos_smp_decoder *decoder, uint32_t bits, uint32_t count) {
    for (uint32_t i = 0; i < count; i++) {
        runicos_smp_serial_event error = frame_put(decoder, (uint8_t)(bits >> (16 - 8 * i)));
        if (error != RUNICOS_SMP_SERIAL_NONE) return frame_fail(decoder, error);
    }
    return RUNICOS_SMP_SERIAL_NONE;
}

#define PAD_NONE 0u
#define PAD_ONE_MORE 1u /* "xx=" seen: a second '=' must follow */
#define PAD_DONE 2u     /* the quantum was padded: only the newline may follow */

static runicos_smp_serial_event frame_line_byte(runicos_smp_decoder *decoder, uint8_t byte) {
    if (byte == '\n') {
        if (decoder->padded == PAD_ONE_MORE) return frame_fail(decoder, RUNICOS_SMP_SERIAL_BAD_BASE64);
        return frame_end_line(decoder);
    }
    if (byte == START_0) {
        /* A frame start inside a line: the sender gave up on this frame. */
        runicos_smp_decoder_init(decoder);
        decoder->state = SEEK_START_1;
        return RUNICOS_SMP_SERIAL_TRUNCATED;
    }
    if (decoder->padded == PAD_DONE) return frame_fail(decoder, RUNICOS_SMP_SERIAL_BAD_BASE64);
    if (decoder->padded == PAD_ONE_MORE) {
        if (byte != '=') return frame_fail(decoder, RUNICOS_SMP_SERIAL_BAD_BASE64);
        decoder->padded = PAD_DONE;
        const uint32_t bits = decoder->quantum << 12;
        decoder->quantum = 0;
        decoder->sextets = 0;
        return frame_put_quantum(decoder, bits, 1);
    }
    const int value = base64_sextet(byte);
    if (value < 0) {
        /* '=' may stand only in a quantum's last two places. */
        if (byte != '=' || decoder->sextets < 2) return frame_fail(decoder, RUNICOS_SMP_SERIAL_BAD_BASE64);
        if (decoder->sextets == 2) {
            decoder->padded = PAD_ONE_MORE;
            return RUNICOS_SMP_SERIAL_NONE;
        }
        decoder->padded = PAD_DONE;
        const uint32_t bits = decoder->quantum << 6;
        decoder->quantum = 0;
        decoder->sextets = 0;
        return frame_put_quantum(decoder, bits, 2);
    }
    decoder->quantum = decoder->quantum << 6 | (uint32_t)value;
    if (++decoder->sextets < 4) return RUNICOS_SMP_SERIAL_NONE;
    const uint32_t bits = decoder->quantum;
    decoder->sextets = 0;
    decoder->quantum = 0;
    return frame_put_quantum(decoder, bits, 3);
}

runicos_smp_serial_event runicos_smp_decoder_feed(runicos_smp_decoder *decoder, uint8_t byte) {
    switch (decoder->state) {
    case LINE:
        return frame_line_byte(decoder, byte);
    case SEEK_START_1:
        if (byte == START_1) begin_frame(decoder);
        else decoder->state = byte == START_0 ? SEEK_START_1 : SEEK;
        return RUNICOS_SMP_SERIAL_NONE;
    case BETWEEN:
        /* Console text may sit between the lines of a frame; skip it. */
        if (byte == CONTINUE_0) decoder->state = BETWEEN_CONT_1;
        else if (byte == START_0) decoder->state = BETWEEN_START_1;
        return RUNICOS_SMP_SERIAL_NONE;
    case BETWEEN_CONT_1:
        if (byte == CONTINUE_1) begin_line(decoder);
        else decoder->state = byte == START_0 ? BETWEEN_START_1 : byte == CONTINUE_0 ? BETWEEN_CONT_1 : BETWEEN;
        return RUNICOS_SMP_SERIAL_NONE;
    case BETWEEN_START_1:
        if (byte == START_1) {
            begin_frame(decoder);
            return RUNICOS_SMP_SERIAL_TRUNCATED;
        }
        decoder->state = byte == START_0 ? BETWEEN_START_1 : byte == CONTINUE_0 ? BETWEEN_CONT_1 : BETWEEN;
        return RUNICOS_SMP_SERIAL_NONE;
    default:
        decoder->state = byte == START_0 ? SEEK_START_1 : SEEK;
        return RUNICOS_SMP_SERIAL_NONE;
    }
}

const uint8_t *runicos_smp_decoder_message(const runicos_smp_decoder *decoder, uint32_t *length) {
    *length = decoder->expected >= 4 ? decoder->expected - 4 : 0;
    return decoder->packet + 2;
}

/* Byte `index` of the packet [length][message][crc], without building it. */
static uint8_t frame_packet_byte(const uint8_t *message, uint32_t length, uint16_t crc, uint32_t index) {
    if (index == 0) return (uint8_t)((length + 2) >> 8);
    if (index == 1) return (uint8_t)(length + 2);
    if (index - 2 < length) return message[index - 2];
    return index - 2 == length ? (uint8_t)(crc >> 8) : (uint8_t)crc;
}

int runicos_smp_encode(const uint8_t *message, uint32_t length, runicos_smp_write_fn write, void *context) {
    if (length > RUNICOS_SMP_MESSAGE_BYTES) return -1;
    const uint16_t crc = runicos_crc16_xmodem(0, message, length);
    const uint32_t total = length + 4;
    /* Whole quanta per line, so each line decodes by itself as well. */
    const uint32_t per_line = (RUNICOS_SMP_LINE_BYTES - 3) / 4 * 3; /* bytes of packet per line */
    char line[RUNICOS_SMP_LINE_BYTES];
    uint32_t at = 0;
    bool first = true;
    while (at < total) {
        uint32_t n = 0;
        line[n++] = (char)(first ? START_0 : CONTINUE_0);
        line[n++] = (char)(first ? START_1 : CONTINUE_1);
        const uint32_t end = total - at < per_line ? total : at + per_line;
        while (at < end) {
            uint8_t quantum[3] = {0, 0, 0};
            uint32_t count = 0;
            while (count < 3 && at < end) quantum[count++] = frame_packet_byte(message, length, crc, at++);
            base64_quantum(quantum, count, line + n);
            n += 4;
        }
        line[n++] = '\n';
        write(context, (const uint8_t *)line, n);
        first = false;
    }
    return 0;
}
