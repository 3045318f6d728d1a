/*
 * Checks the RunicOS link protocol on the host: CRC-16/XMODEM and base64,
 * the SMP serial frame decoder and encoder (console text, several lines,
 * malformed frames and recovery), the CBOR reader on hostile input, the SMP
 * server's commands over the real slots.c, and a seeded fuzz loop of
 * mutated frames through decoder and server. Build with
 * -fsanitize=address,undefined to have the fuzz loop check every access.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cortex-m/sha256.c"
#include "runicos/image.c"
#include "runicos/slots.c"
#include "runicos/link/smp_serial.c"
#include "runicos/link/cbor.c"
#include "runicos/link/smp_server.c"
#include "runicos/tests/link_host_kernel.c"

static int failures = 0;

#define CHECK(condition, ...)                                   \
    do {                                                        \
        if (!(condition)) {                                     \
            printf("%s:%d: check failed: ", __FILE__, __LINE__); \
            printf(__VA_ARGS__);                                \
            printf("\n");                                       \
            failures++;                                         \
        }                                                       \
    } while (0)

/* xorshift64*: the tests' only source of variety, seeded, so a failure repeats. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rng(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

/* ---- frames captured by the encoder ---- */

static uint8_t wire[64 * 1024];
static uint32_t wire_used;
static uint32_t wire_lines;
static uint32_t longest_line;

static void capture(void *context, const uint8_t *data, uint32_t length) {
    (void)context;
    if (length > longest_line) longest_line = length;
    wire_lines++;
    if (length <= sizeof wire - wire_used) {
        memcpy(wire + wire_used, data, length);
        wire_used += length;
    }
}

static void wire_reset(void) { wire_used = wire_lines = longest_line = 0; }

static void wire_append(const char *text) {
    const uint32_t length = (uint32_t)strlen(text);
    memcpy(wire + wire_used, text, length);
    wire_used += length;
}

/* Feeds bytes to a decoder; counts packets and errors; keeps the last packet. */
typedef struct feed_result {
    uint32_t packets;
    uint32_t errors[8];
    uint8_t last[RUNICOS_SMP_PACKET_BYTES];
    uint32_t last_length;
} feed_result;

static void feed(runicos_smp_decoder *decoder, const uint8_t *bytes, uint32_t length, feed_result *result) {
    for (uint32_t i = 0; i < length; i++) {
        runicos_smp_serial_event event = runicos_smp_decoder_feed(decoder, bytes[i]);
        if (event == RUNICOS_SMP_SERIAL_PACKET) {
            result->packets++;
            const uint8_t *message = runicos_smp_decoder_message(decoder, &result->last_length);
            memcpy(result->last, message, result->last_length);
        } else if (event != RUNICOS_SMP_SERIAL_NONE) {
            result->errors[event]++;
        }
    }
}

static void test_crc_and_base64(void) {
    CHECK(runicos_crc16_xmodem(0, (const uint8_t *)"123456789", 9) == 0x31C3, "CRC-16/XMODEM check value");
    CHECK(runicos_crc16_xmodem(runicos_crc16_xmodem(0, (const uint8_t *)"1234", 4), (const uint8_t *)"56789", 5) == 0x31C3,
          "CRC-16/XMODEM continues across calls");
    char text[64];
    CHECK(runicos_base64_encode((const uint8_t *)"foobar", 6, text, sizeof text) == 8 && memcmp(text, "Zm9vYmFy", 8) == 0, "RFC 4648 vector");
    CHECK(runicos_base64_encode((const uint8_t *)"fo", 2, text, sizeof text) == 4 && memcmp(text, "Zm8=", 4) == 0, "one pad");
    CHECK(runicos_base64_encode((const uint8_t *)"f", 1, text, sizeof text) == 4 && memcmp(text, "Zg==", 4) == 0, "two pads");
    CHECK(runicos_base64_encode((const uint8_t *)"foobar", 6, text, 7) == -1, "encoding refuses a short buffer");
    uint8_t data[300], back[300];
    char long_text[400];
    for (uint32_t length = 0; length <= 300; length++) {
        for (uint32_t i = 0; i < length; i++) data[i] = (uint8_t)rng();
        const int32_t encoded = runicos_base64_encode(data, length, long_text, sizeof long_text);
        const int32_t decoded = runicos_base64_decode(long_text, (uint32_t)encoded, back, sizeof back);
        CHECK(decoded == (int32_t)length && memcmp(data, back, length) == 0, "base64 round trip of %u bytes", length);
    }
    const char *bad[] = {"Zm9", "Zm9v!mFy", "Z===", "Zm=v", "=m9v", "Zg==Zg==", "Zm9vYmF", "Zg=a"};
    for (uint32_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(runicos_base64_decode(bad[i], (uint32_t)strlen(bad[i]), back, sizeof back) == -1, "base64 refuses \"%s\"", bad[i]);
    CHECK(runicos_base64_decode("Zm9vYmFy", 8, back, 5) == -1, "decoding refuses a short buffer");
}

static void test_frames(void) {
    static uint8_t message[RUNICOS_SMP_MESSAGE_BYTES + 1];
    for (uint32_t i = 0; i < sizeof message; i++) message[i] = (uint8_t)rng();
    const uint32_t sizes[] = {0, 1, 8, 20, 88, 89, 90, 91, 92, 300, 1000, RUNICOS_SMP_MESSAGE_BYTES};
    for (uint32_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const uint32_t size = sizes[s];
        wire_reset();
        wire_append("boot: console text before the frame\n");
        CHECK(runicos_smp_encode(message, size, capture, 0) == 0, "encode %u bytes", size);
        wire_append("more console text\n");
        CHECK(longest_line <= RUNICOS_SMP_LINE_BYTES, "a line of %u bytes", longest_line);
        runicos_smp_decoder decoder;
        runicos_smp_decoder_init(&decoder);
        static feed_result result;
        memset(&result, 0, sizeof result);
        feed(&decoder, wire, wire_used, &result);
        CHECK(result.packets == 1 && result.last_length == size && memcmp(result.last, message, size) == 0,
              "a %u-byte message survives encoding (%u packets)", size, result.packets);
        /* Every line must also decode by itself, as smpclient decodes it. */
        uint32_t line_start = 0;
        for (uint32_t i = 0; i < wire_used; i++) {
            if (wire[i] != '\n') continue;
            if (wire[line_start] == 0x06 || wire[line_start] == 0x04) {
                uint8_t chunk[200];
                CHECK(runicos_base64_decode((const char *)wire + line_start + 2, i - line_start - 2, chunk, sizeof chunk) > 0,
                      "each line is whole base64");
            }
            line_start = i + 1;
        }
    }
    CHECK(runicos_smp_encode(message, RUNICOS_SMP_MESSAGE_BYTES + 1, capture, 0) == -1, "encoding refuses an oversized message");

    /* Console text between the lines of a frame is skipped. */
    wire_reset();
    runicos_smp_encode(message, 500, capture, 0);
    static uint8_t noisy[8192];
    uint32_t noisy_used = 0;
    for (uint32_t i = 0; i < wire_used; i++) {
        noisy[noisy_used++] = wire[i];
        if (wire[i] == '\n') {
            memcpy(noisy + noisy_used, "log line\n", 9);
            noisy_used += 9;
        }
    }
    runicos_smp_decoder decoder;
    runicos_smp_decoder_init(&decoder);
    static feed_result result;
    memset(&result, 0, sizeof result);
    feed(&decoder, noisy, noisy_used, &result);
    CHECK(result.packets == 1 && result.last_length == 500, "console lines between frame lines are skipped");

    /* A one-line frame as long as the packet buffer allows (clients may send long lines). */
    {
        static uint8_t packet[RUNICOS_SMP_PACKET_BYTES + 8];
        static char line[RUNICOS_SMP_PACKET_BYTES * 2];
        const uint32_t size = RUNICOS_SMP_MESSAGE_BYTES;
        packet[0] = (uint8_t)((size + 2) >> 8);
        packet[1] = (uint8_t)(size + 2);
        memcpy(packet + 2, message, size);
        const uint16_t crc = runicos_crc16_xmodem(0, message, size);
        packet[2 + size] = (uint8_t)(crc >> 8);
        packet[3 + size] = (uint8_t)crc;
        line[0] = 6;
        line[1] = 9;
        const int32_t n = runicos_base64_encode(packet, size + 4, line + 2, sizeof line - 3);
        line[2 + n] = '\n';
        runicos_smp_decoder_init(&decoder);
        memset(&result, 0, sizeof result);
        feed(&decoder, (const uint8_t *)line, (uint32_t)n + 3, &result);
        CHECK(result.packets == 1 && result.last_length == size, "a full packet on one long line");

        /* One byte more than the buffer: refused as oversized, then a good frame decodes. */
        packet[0] = (uint8_t)((size + 3) >> 8);
        packet[1] = (uint8_t)(size + 3);
        const int32_t m = runicos_base64_encode(packet, size + 5, line + 2, sizeof line - 3);
        line[2 + m] = '\n';
        memset(&result, 0, sizeof result);
        feed(&decoder, (const uint8_t *)line, (uint32_t)m + 3, &result);
        CHECK(result.packets == 0 && result.errors[RUNICOS_SMP_SERIAL_OVERSIZED] == 1, "an oversized packet is refused");
    }

    /* Malformed frames, each followed by a good one that must decode. */
    wire_reset();
    runicos_smp_encode(message, 200, capture, 0);
    static uint8_t good[1024];
    const uint32_t good_used = wire_used;
    memcpy(good, wire, wire_used);
    struct {
        const char *name;
        uint32_t position; /* a byte of the good frame to change */
        int value;         /* its new value; -1: cut the frame here */
        runicos_smp_serial_event expected;
    } cases[] = {
        {"bad base64 character", 10, '!', RUNICOS_SMP_SERIAL_BAD_BASE64},
        {"bad CRC", 40, 'A', RUNICOS_SMP_SERIAL_BAD_CRC},
        {"padding inside a line", 20, '=', RUNICOS_SMP_SERIAL_BAD_BASE64},
        {"truncated frame", 150, -1, RUNICOS_SMP_SERIAL_TRUNCATED},
        {"a line cut mid-quantum", 0, '\n', RUNICOS_SMP_SERIAL_BAD_BASE64},
    };
    for (uint32_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        static uint8_t bytes[4096];
        uint32_t used = good_used;
        memcpy(bytes, good, good_used);
        uint32_t position = cases[c].position;
        if (cases[c].value == '\n') position = 7; /* inside the first line's second quantum */
        if (cases[c].value == 'A' && bytes[position] == 'A') bytes[position] = 'B';
        else if (cases[c].value >= 0) bytes[position] = (uint8_t)cases[c].value;
        else used = position;
        memcpy(bytes + used, good, good_used);
        used += good_used;
        runicos_smp_decoder_init(&decoder);
        memset(&result, 0, sizeof result);
        feed(&decoder, bytes, used, &result);
        CHECK(result.errors[cases[c].expected] == 1 && result.packets == 1 && result.last_length == 200,
              "%s: detected (%u) and the next frame decodes (%u packets)", cases[c].name, result.errors[cases[c].expected], result.packets);
    }

    /* The length prefix says less than the line carries. */
    {
        static uint8_t packet[64];
        static char line[128];
        packet[0] = 0;
        packet[1] = 6; /* 4 message bytes and the CRC, but 8 follow */
        memcpy(packet + 2, "abcdefgh", 8);
        line[0] = 6;
        line[1] = 9;
        const int32_t n = runicos_base64_encode(packet, 10, line + 2, 100);
        line[2 + n] = '\n';
        runicos_smp_decoder_init(&decoder);
        memset(&result, 0, sizeof result);
        feed(&decoder, (const uint8_t *)line, (uint32_t)n + 3, &result);
        CHECK(result.errors[RUNICOS_SMP_SERIAL_BAD_LENGTH] == 1 && result.packets == 0, "a length shorter than the data is refused");
        packet[1] = 1; /* no room for the CRC */
        runicos_base64_encode(packet, 10, line + 2, 100);
        memset(&result, 0, sizeof result);
        feed(&decoder, (const uint8_t *)line, (uint32_t)n + 3, &result);
        CHECK(result.errors[RUNICOS_SMP_SERIAL_BAD_LENGTH] == 1, "a length without room for the CRC is refused");
    }
}

/* ---- CBOR ---- */

static int skip_all(const uint8_t *bytes, uint32_t length) {
    runicos_cbor_reader reader;
    runicos_cbor_reader_init(&reader, bytes, length);
    if (runicos_cbor_skip(&reader) != 0) return -1;
    return reader.offset == length ? 0 : -2;
}

static void test_cbor(void) {
    /* Well-formed items of every kind the reader knows, definite and indefinite. */
    const struct {
        const char *name;
        uint8_t bytes[32];
        uint32_t length;
    } good[] = {
        {"uint 0", {0x00}, 1},
        {"uint64", {0x1B, 1, 2, 3, 4, 5, 6, 7, 8}, 9},
        {"negative", {0x38, 0x63}, 2},
        {"bytes", {0x43, 1, 2, 3}, 4},
        {"indefinite bytes", {0x5F, 0x41, 1, 0x42, 2, 3, 0xFF}, 7},
        {"indefinite text", {0x7F, 0x61, 'a', 0xFF}, 4},
        {"nested", {0xA2, 0x61, 'a', 0x82, 0x01, 0xA1, 0x61, 'b', 0xF5, 0x61, 'c', 0xF6}, 12},
        {"indefinite map", {0xBF, 0x61, 'a', 0x9F, 0x01, 0x02, 0xFF, 0xFF}, 8},
        {"tagged", {0xC1, 0x1A, 0, 0, 0, 1}, 6},
        {"float", {0xFB, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0}, 9},
    };
    for (uint32_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK(skip_all(good[i].bytes, good[i].length) == 0, "CBOR skip accepts %s", good[i].name);
    const struct {
        const char *name;
        uint8_t bytes[32];
        uint32_t length;
    } bad[] = {
        {"empty", {0}, 0},
        {"truncated uint", {0x1A, 0, 0}, 3},
        {"reserved info", {0x1C}, 1},
        {"indefinite uint", {0x1F}, 1},
        {"string past the end", {0x45, 1, 2}, 3},
        {"huge string", {0x5B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 9},
        {"huge map", {0xBB, 0x80, 0, 0, 0, 0, 0, 0, 0}, 9},
        {"array longer than its bytes", {0x85, 1, 2}, 3},
        {"stray break", {0xFF}, 1},
        {"break in a definite array", {0x82, 0x01, 0xFF}, 3},
        {"unterminated indefinite", {0x9F, 0x01, 0x02}, 3},
        {"text chunk in bytes", {0x5F, 0x61, 'a', 0xFF}, 4},
        {"nested indefinite chunk", {0x5F, 0x5F, 0xFF, 0xFF}, 4},
        {"too deep", {0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x00}, 10},
        {"tags too deep", {0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0x00}, 10},
    };
    for (uint32_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(skip_all(bad[i].bytes, bad[i].length) == -1, "CBOR skip refuses %s", bad[i].name);
    /* Exactly at the depth limit is fine. */
    uint8_t deep[RUNICOS_CBOR_MAX_DEPTH + 1];
    for (uint32_t i = 0; i < RUNICOS_CBOR_MAX_DEPTH; i++) deep[i] = 0x81;
    deep[RUNICOS_CBOR_MAX_DEPTH] = 0;
    CHECK(skip_all(deep, sizeof deep) == 0, "nesting at the limit is accepted");

    runicos_cbor_reader reader;
    const uint8_t *text;
    uint32_t length;
    const uint8_t bad_utf8[][4] = {{0x62, 0xC3, 0x28}, {0x63, 0xED, 0xA0, 0x80}, {0x62, 0xC0, 0x80}};
    for (uint32_t i = 0; i < 3; i++) {
        runicos_cbor_reader_init(&reader, bad_utf8[i], 1 + (bad_utf8[i][0] & 31u));
        CHECK(runicos_cbor_read_text(&reader, &text, &length) == -1, "text with bad UTF-8 %u is refused", i);
    }
    const uint8_t emoji[] = {0x64, 0xF0, 0x9F, 0x98, 0x80};
    runicos_cbor_reader_init(&reader, emoji, sizeof emoji);
    CHECK(runicos_cbor_read_text(&reader, &text, &length) == 0 && length == 4, "four-byte UTF-8 is accepted");
    int64_t value;
    const uint8_t most_negative[] = {0x3B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    runicos_cbor_reader_init(&reader, most_negative, sizeof most_negative);
    CHECK(runicos_cbor_read_int(&reader, &value) == 0 && value == (-9223372036854775807LL - 1), "INT64_MIN");
    const uint8_t too_negative[] = {0x3B, 0x80, 0, 0, 0, 0, 0, 0, 0};
    runicos_cbor_reader_init(&reader, too_negative, sizeof too_negative);
    CHECK(runicos_cbor_read_int(&reader, &value) == -1, "below INT64_MIN is refused");

    /* The writer stops at its capacity and says so. */
    uint8_t small[4];
    runicos_cbor_writer writer;
    runicos_cbor_writer_init(&writer, small, sizeof small);
    runicos_cbor_put_text(&writer, "abcd");
    CHECK(writer.overflow && writer.length <= sizeof small, "the writer never overflows its buffer");
    uint8_t big[32];
    runicos_cbor_writer_init(&writer, big, sizeof big);
    runicos_cbor_put_int(&writer, -500);
    runicos_cbor_put_uint(&writer, 0x100000000ull);
    const uint8_t expected[] = {0x39, 0x01, 0xF3, 0x1B, 0, 0, 0, 1, 0, 0, 0, 0};
    CHECK(!writer.overflow && writer.length == sizeof expected && memcmp(big, expected, sizeof expected) == 0, "shortest heads");
}

/* ---- the server ---- */

static uint8_t sequence;

/* A request message: header, then the CBOR body `build` writes. */
static uint32_t make_request(uint8_t *out, uint8_t op, uint16_t group, uint8_t command, void (*build)(runicos_cbor_writer *, const void *),
                             const void *argument) {
    runicos_cbor_writer writer;
    runicos_cbor_writer_init(&writer, out + RUNICOS_SMP_HEADER_BYTES, RUNICOS_SMP_MESSAGE_BYTES - RUNICOS_SMP_HEADER_BYTES);
    build(&writer, argument);
    const runicos_smp_header header = {op, 1, 0, (uint16_t)writer.length, group, ++sequence, command};
    runicos_smp_header_write(&header, out);
    return RUNICOS_SMP_HEADER_BYTES + writer.length;
}

static void build_empty(runicos_cbor_writer *w, const void *argument) {
    (void)argument;
    runicos_cbor_put_map(w, 0);
}

static void build_echo(runicos_cbor_writer *w, const void *argument) {
    runicos_cbor_put_map(w, 1);
    runicos_cbor_put_text(w, "d");
    runicos_cbor_put_text(w, (const char *)argument);
}

typedef struct upload_chunk {
    uint32_t off;
    const uint8_t *data;
    uint32_t length;
    uint32_t total;           /* with off 0 */
    const uint8_t *sha;       /* with off 0 */
    uint32_t sha_length;
    bool upgrade;
} upload_chunk;

static void build_upload(runicos_cbor_writer *w, const void *argument) {
    const upload_chunk *c = argument;
    const bool first = c->off == 0;
    runicos_cbor_put_map(w, first ? (c->sha != 0 ? 6 : 5) : 2);
    if (first) {
        runicos_cbor_put_text(w, "image");
        runicos_cbor_put_uint(w, 0);
        runicos_cbor_put_text(w, "len");
        runicos_cbor_put_uint(w, c->total);
        if (c->sha != 0) {
            runicos_cbor_put_text(w, "sha");
            runicos_cbor_put_bytes(w, c->sha, c->sha_length);
        }
        runicos_cbor_put_text(w, "upgrade");
        runicos_cbor_put_bool(w, c->upgrade);
    }
    runicos_cbor_put_text(w, "off");
    runicos_cbor_put_uint(w, c->off);
    runicos_cbor_put_text(w, "data");
    runicos_cbor_put_bytes(w, c->data, c->length);
}

typedef struct state_write {
    const uint8_t *hash; /* 0: none */
    uint32_t hash_length;
    bool confirm;
} state_write;

static void build_state_write(runicos_cbor_writer *w, const void *argument) {
    const state_write *s = argument;
    runicos_cbor_put_map(w, s->hash != 0 ? 2 : 1);
    if (s->hash != 0) {
        runicos_cbor_put_text(w, "hash");
        runicos_cbor_put_bytes(w, s->hash, s->hash_length);
    }
    runicos_cbor_put_text(w, "confirm");
    runicos_cbor_put_bool(w, s->confirm);
}

static uint8_t request_buffer[RUNICOS_SMP_MESSAGE_BYTES];
static uint8_t response_buffer[RUNICOS_SMP_MESSAGE_BYTES];
static runicos_smp_header response_header;
static runicos_cbor_reader response_body;

/* Serves a request; the response lands in response_header/response_body. */
static runicos_smp_result serve(uint32_t length) {
    memset(response_buffer, 0xAA, sizeof response_buffer);
    runicos_smp_result result = runicos_smp_handle(request_buffer, length, response_buffer);
    if (result.response_bytes >= RUNICOS_SMP_HEADER_BYTES) {
        runicos_smp_header_read(response_buffer, result.response_bytes, &response_header);
        runicos_cbor_reader_init(&response_body, response_buffer + RUNICOS_SMP_HEADER_BYTES, result.response_bytes - RUNICOS_SMP_HEADER_BYTES);
    }
    return result;
}

/* Finds `key` in the response map and leaves the reader at its value. */
static bool response_find(const char *key) {
    runicos_cbor_reader reader = response_body;
    runicos_cbor_map map;
    if (runicos_cbor_map_begin(&reader, &map) != 0) return false;
    const uint8_t *name;
    uint32_t length;
    while (runicos_cbor_map_key(&reader, &map, &name, &length) == 1) {
        if (runicos_cbor_key_is(name, length, key)) {
            response_body.offset = reader.offset;
            return true;
        }
        if (runicos_cbor_skip(&reader) != 0) return false;
    }
    return false;
}

/* The response's "rc" (0 when absent, as success responses leave it out), "off" (-1 when absent). */
static int64_t response_rc(void) {
    const uint32_t start = response_body.offset;
    uint64_t rc = 0;
    if (response_find("rc")) runicos_cbor_read_uint(&response_body, &rc);
    response_body.offset = start;
    return (int64_t)rc;
}

static int64_t response_off(void) {
    const uint32_t start = response_body.offset;
    uint64_t off = 0;
    const bool found = response_find("off") && runicos_cbor_read_uint(&response_body, &off) == 0;
    response_body.offset = start;
    return found ? (int64_t)off : -1;
}

/* Uploads `image` in chunks of `chunk` bytes, stopping after `stop_after` bytes (0: never); the last rc. */
static int64_t upload(const uint8_t *image, uint32_t length, uint32_t chunk, uint32_t stop_after, uint32_t *resumed_at) {
    uint8_t sha[32];
    rune_sha256 hash;
    rune_sha256_init(&hash);
    rune_sha256_update(&hash, image, length);
    rune_sha256_final(&hash, sha);
    uint32_t off = 0;
    bool first = true;
    for (;;) {
        const uint32_t n = length - off < chunk ? length - off : chunk;
        upload_chunk c = {off, image + off, n, length, sha, 32, false};
        serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_UPLOAD, build_upload, &c));
        const int64_t rc = response_rc();
        if (rc != 0) return rc;
        const int64_t next = response_off();
        if (next < 0) return -1;
        if (first && resumed_at != 0) *resumed_at = (uint32_t)next > n ? (uint32_t)next : 0;
        first = false;
        off = (uint32_t)next;
        if (off == length) return 0;
        if (stop_after != 0 && off >= stop_after) return 0;
    }
}

static bool slot_listed(uint32_t slot, const uint8_t sha[32], bool *active) {
    serve(make_request(request_buffer, RUNICOS_SMP_OP_READ, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_STATE, build_empty, 0));
    if (!response_find("images")) return false;
    /* [ {image, slot, version, hash, bootable, pending, confirmed, active, permanent}, ... ] */
    const uint8_t count_byte = response_body.data[response_body.offset++];
    const uint32_t count = count_byte & 31u;
    for (uint32_t i = 0; i < count; i++) {
        runicos_cbor_map map;
        runicos_cbor_map_begin(&response_body, &map);
        uint64_t listed_slot = 99;
        const uint8_t *hash = 0;
        uint32_t hash_length = 0;
        bool is_active = false;
        const uint8_t *key;
        uint32_t key_length;
        while (runicos_cbor_map_key(&response_body, &map, &key, &key_length) == 1) {
            if (runicos_cbor_key_is(key, key_length, "slot")) runicos_cbor_read_uint(&response_body, &listed_slot);
            else if (runicos_cbor_key_is(key, key_length, "hash")) runicos_cbor_read_bytes(&response_body, &hash, &hash_length);
            else if (runicos_cbor_key_is(key, key_length, "active")) runicos_cbor_read_bool(&response_body, &is_active);
            else runicos_cbor_skip(&response_body);
        }
        if (listed_slot == slot && hash_length == 32 && memcmp(hash, sha, 32) == 0) {
            *active = is_active;
            return true;
        }
    }
    return false;
}

static void sha_of(const uint8_t *data, uint32_t length, uint8_t out[32]) {
    rune_sha256 hash;
    rune_sha256_init(&hash);
    rune_sha256_update(&hash, data, length);
    rune_sha256_final(&hash, out);
}

static uint32_t inactive_slot(void) { return runicos_slots_active(&link_host_slots) == 0 ? 1u : 0u; }

static void test_server(void) {
    link_host_wipe();
    /* echo */
    uint32_t length = make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_OS, RUNICOS_SMP_OS_ECHO, build_echo, "hello, rune");
    runicos_smp_result result = serve(length);
    const uint8_t *text = 0;
    uint32_t text_length = 0;
    CHECK(result.response_bytes > 8 && response_header.op == RUNICOS_SMP_OP_WRITE_RSP && response_header.sequence == sequence &&
              response_header.group == 0 && response_header.command == 0 && response_header.version == 1 &&
              response_header.length == result.response_bytes - 8,
          "echo response header");
    CHECK(response_find("r") && runicos_cbor_read_text(&response_body, &text, &text_length) == 0 && text_length == 11 &&
              memcmp(text, "hello, rune", 11) == 0,
          "echo echoes");
    /* an echo without "d", and one whose "d" is not text */
    serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, 0, 0, build_empty, 0));
    CHECK(response_rc() == RUNICOS_SMP_EINVAL, "echo without d is EINVAL");
    /* unknown group, unknown command, wrong op */
    serve(make_request(request_buffer, RUNICOS_SMP_OP_READ, 42, 0, build_empty, 0));
    CHECK(response_rc() == RUNICOS_SMP_ENOTSUP && response_header.op == RUNICOS_SMP_OP_READ_RSP && response_header.group == 42,
          "an unknown group is ENOTSUP");
    serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, 0, 99, build_empty, 0));
    CHECK(response_rc() == RUNICOS_SMP_ENOTSUP, "an unknown command is ENOTSUP");
    serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_STATE, build_empty, 0));
    CHECK(response_rc() == RUNICOS_SMP_EINVAL, "an image state write with neither hash nor confirm is EINVAL");
    /* responses, short messages and bad lengths */
    length = make_request(request_buffer, RUNICOS_SMP_OP_WRITE_RSP, 0, 0, build_echo, "x");
    CHECK(serve(length).response_bytes == 0, "a response is not answered");
    CHECK(serve(7).response_bytes == 0, "a message shorter than a header is not answered");
    length = make_request(request_buffer, RUNICOS_SMP_OP_WRITE, 0, 0, build_echo, "x");
    request_buffer[3]++;
    serve(length);
    CHECK(response_rc() == RUNICOS_SMP_EINVAL, "a header length that disagrees is EINVAL");
    length = make_request(request_buffer, RUNICOS_SMP_OP_WRITE, 0, 0, build_echo, "x");
    request_buffer[0] = (uint8_t)(2u << 3 | RUNICOS_SMP_OP_WRITE);
    serve(length);
    CHECK(response_rc() == RUNICOS_SMP_UNSUPPORTED_TOO_NEW && response_header.version == 1, "SMP version 3 is too new");
    length = make_request(request_buffer, RUNICOS_SMP_OP_WRITE, 0, 0, build_echo, "x");
    request_buffer[0] = RUNICOS_SMP_OP_WRITE; /* SMP version 1 */
    serve(length);
    CHECK(response_rc() == 0 && response_header.version == 0 && response_find("r"), "SMP version 1 is answered in kind");
    /* parameters */
    serve(make_request(request_buffer, RUNICOS_SMP_OP_READ, 0, RUNICOS_SMP_OS_PARAMETERS, build_empty, 0));
    uint64_t buf_size = 0;
    const uint32_t parameters_start = response_body.offset;
    CHECK(response_find("buf_size") && runicos_cbor_read_uint(&response_body, &buf_size) == 0 && buf_size == RUNICOS_SMP_PACKET_BYTES,
          "buf_size");
    uint64_t buf_count = 0;
    response_body.offset = parameters_start;
    CHECK(response_find("buf_count") && runicos_cbor_read_uint(&response_body, &buf_count) == 0 && buf_count == RUNICOS_SMP_BUFFER_COUNT
              && buf_count >= 2 && buf_count * RUNICOS_SMP_FRAME_WIRE_BYTES <= RUNE_SERIAL_RING_BYTES,
          "buf_count: the whole frames the receive ring holds, at least two so an upload streams");
    /* reset: answered, and flagged for after the response */
    result = serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, 0, RUNICOS_SMP_OS_RESET, build_empty, 0));
    CHECK(result.reset && response_rc() == 0, "reset is answered and then done");

    /* uploads */
    static uint8_t image[8192], other[8192];
    uint8_t rune_sha[32], sha[32];
    memset(rune_sha, 0x5A, sizeof rune_sha);
    const uint8_t manifest[] = "RUNE-manifest-bytes";
    uint32_t slot = inactive_slot();
    const uint32_t image_length = link_host_build_image(image, sizeof image, slot, 3000, manifest, sizeof manifest, rune_sha);
    CHECK(image_length > 3000, "the test image builds");
    CHECK(upload(image, image_length, 512, 0, 0) == 0, "a valid image uploads");
    CHECK(runicos_slots_active(&link_host_slots) == (int32_t)slot && link_host_rune_changes == 1, "and becomes active (slot %u)", slot);
    sha_of(image, image_length, sha);
    bool active = false;
    CHECK(slot_listed(slot, sha, &active) && active, "image state lists it, active, with its hash");
    serve(make_request(request_buffer, RUNICOS_SMP_OP_READ, RUNICOS_SMP_GROUP_RUNE, RUNICOS_SMP_RUNE_INFO, build_empty, 0));
    const uint8_t *running = 0;
    uint32_t running_length = 0;
    CHECK(response_find("rune") && runicos_cbor_read_bytes(&response_body, &running, &running_length) == 0 && running_length == 32 &&
              memcmp(running, rune_sha, 32) == 0,
          "rune info names the running rune");

    /* A corrupted image: refused at the end, the old one stays. */
    const uint32_t first_slot = slot;
    slot = inactive_slot();
    uint32_t other_length = link_host_build_image(other, sizeof other, slot, 2000, manifest, sizeof manifest, rune_sha);
    other[300] ^= 1; /* the trailer no longer matches; the announced sha is of these bytes */
    const int64_t rc = upload(other, other_length, 700, 0, 0);
    CHECK(rc == RUNICOS_SMP_EINVAL, "a corrupted image is refused (rc %lld)", (long long)rc);
    CHECK(runicos_slots_active(&link_host_slots) == (int32_t)first_slot && link_host_rune_changes == 1, "and the old one stays active");
    /* An image linked for the active slot is refused too. */
    other_length = link_host_build_image(other, sizeof other, first_slot, 2000, manifest, sizeof manifest, rune_sha);
    CHECK(upload(other, other_length, 700, 0, 0) == RUNICOS_SMP_EINVAL, "an image for the wrong slot is refused");

    /* An interrupted upload resumes where it stopped. */
    other_length = link_host_build_image(other, sizeof other, slot, 5000, manifest, sizeof manifest, rune_sha);
    CHECK(upload(other, other_length, 600, 2400, 0) == 0, "the first half goes up");
    uint32_t resumed_at = 0;
    CHECK(upload(other, other_length, 600, 0, &resumed_at) == 0 && resumed_at == 2400, "the second half resumes at 2400 (%u)", resumed_at);
    CHECK(runicos_slots_active(&link_host_slots) == (int32_t)slot && link_host_rune_changes == 2, "the resumed image is active");

    /* Rolling back (a state write confirming the other slot's image). */
    {
        uint8_t first_sha[32], second_sha[32];
        sha_of(image, image_length, first_sha);
        sha_of(other, other_length, second_sha);
        state_write w = {first_sha, 32, false};
        serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_STATE, build_state_write, &w));
        CHECK(response_rc() == RUNICOS_SMP_ENOTSUP, "a test boot of the other image is ENOTSUP");
        w = (state_write){rune_sha, 32, true};
        serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_STATE, build_state_write, &w));
        CHECK(response_rc() == RUNICOS_SMP_ENOENT, "a hash no slot holds is ENOENT");
        w = (state_write){first_sha, 16, true};
        serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_STATE, build_state_write, &w));
        CHECK(response_rc() == RUNICOS_SMP_EINVAL, "a short hash is EINVAL");
        w = (state_write){0, 0, false};
        serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_STATE, build_state_write, &w));
        CHECK(response_rc() == RUNICOS_SMP_EINVAL, "neither hash nor confirm is EINVAL");
        w = (state_write){second_sha, 32, true};
        serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_STATE, build_state_write, &w));
        CHECK(response_rc() == 0 && response_find("images") && link_host_rune_changes == 2, "confirming the running image changes nothing");
        CHECK(runicos_slots_active(&link_host_slots) == (int32_t)slot && link_host_rune_changes == 2, "and it stays active");
        w = (state_write){first_sha, 32, true};
        serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_STATE, build_state_write, &w));
        CHECK(response_rc() == 0 && response_find("images"), "confirming the other slot's image rolls back");
        CHECK(runicos_slots_active(&link_host_slots) == (int32_t)first_slot && link_host_rune_changes == 3, "to its slot, and the kernel reloads");
        bool first_active = false, second_active = false;
        CHECK(slot_listed(first_slot, first_sha, &first_active) && first_active, "image state lists the rolled-back image as active");
        CHECK(!slot_listed(slot, second_sha, &second_active), "and the slot it left no longer holds an image");
        w = (state_write){second_sha, 32, true};
        serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_STATE, build_state_write, &w));
        CHECK(response_rc() == RUNICOS_SMP_ENOENT && runicos_slots_active(&link_host_slots) == (int32_t)first_slot,
              "rolling forward again finds no image: refused, and the running one stays");
    }

    /* Chunks out of order, with no session, with a short sha, or asking for upgrade-only. */
    {
        uint8_t image_sha[32];
        sha_of(image, image_length, image_sha);
        upload_chunk c = {100, image + 100, 10, 0, 0, 0, false};
        serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_UPLOAD, build_upload, &c));
        CHECK(response_rc() == RUNICOS_SMP_EBADSTATE, "a chunk with no session is EBADSTATE");
        upload_chunk start = {0, image, 64, image_length, image_sha, 16, false};
        serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_UPLOAD, build_upload, &start));
        CHECK(response_rc() == RUNICOS_SMP_EINVAL, "a truncated sha is EINVAL");
        start.sha = 0;
        serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_UPLOAD, build_upload, &start));
        CHECK(response_rc() == RUNICOS_SMP_EINVAL, "a missing sha is EINVAL");
        start.sha = image_sha;
        start.sha_length = 32;
        start.upgrade = true;
        serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_UPLOAD, build_upload, &start));
        CHECK(response_rc() == RUNICOS_SMP_ENOTSUP, "upgrade-only is ENOTSUP");
        start.upgrade = false;
        serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_UPLOAD, build_upload, &start));
        CHECK(response_rc() == 0 && response_off() == 64, "a session opens");
        c.off = 200;
        serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_UPLOAD, build_upload, &c));
        CHECK(response_rc() == 0 && response_off() == 64, "a chunk at the wrong offset is told the right one");
        upload_chunk next = {64, image + 64, 1500, 0, 0, 0, false};
        serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_UPLOAD, build_upload, &next));
        CHECK(response_rc() == 0 && response_off() == 64 + 1500, "an in-order chunk is written");
        /* One that runs past the announced length. */
        upload_chunk past = {64 + 1500, image, image_length, 0, 0, 0, false};
        serve(make_request(request_buffer, RUNICOS_SMP_OP_WRITE, RUNICOS_SMP_GROUP_IMAGE, RUNICOS_SMP_IMAGE_UPLOAD, build_upload, &past));
        CHECK(response_rc() == RUNICOS_SMP_EINVAL, "a chunk past the announced length is EINVAL");
    }

    /* Streamed input reaches the kernel; a wrong size does not. */
    {
        uint8_t tensor[LINK_HOST_INPUT_BYTES];
        for (uint32_t i = 0; i < sizeof tensor; i++) tensor[i] = (uint8_t)(i * 3);
        struct { uint32_t index; uint32_t length; } cases[] = {{0, LINK_HOST_INPUT_BYTES}, {0, 3}, {1, LINK_HOST_INPUT_BYTES}};
        for (uint32_t i = 0; i < 3; i++) {
            const uint32_t before = link_host_inputs;
            runicos_cbor_writer w;
            runicos_cbor_writer_init(&w, request_buffer + 8, sizeof request_buffer - 8);
            runicos_cbor_put_map(&w, 2);
            runicos_cbor_put_text(&w, "index");
            runicos_cbor_put_uint(&w, cases[i].index);
            runicos_cbor_put_text(&w, "data");
            runicos_cbor_put_bytes(&w, tensor, cases[i].length);
            const runicos_smp_header h = {RUNICOS_SMP_OP_WRITE, 1, 0, (uint16_t)w.length, RUNICOS_SMP_GROUP_RUNE, ++sequence, RUNICOS_SMP_RUNE_INPUT};
            runicos_smp_header_write(&h, request_buffer);
            serve(8 + w.length);
            const bool accepted = i == 0;
            CHECK(response_rc() == (accepted ? 0 : RUNICOS_SMP_EINVAL) && link_host_inputs == before + (accepted ? 1u : 0u),
                  "input case %u", i);
        }
        CHECK(memcmp(link_host_input, tensor, sizeof tensor) == 0, "the input arrived whole");
    }
}

/* ---- fuzzing ---- */

/* Mutates `bytes` in place (and maybe its length): flips, overwrites with
 * interesting values, inserts, deletes, truncates. */
static uint32_t mutate(uint8_t *bytes, uint32_t length, uint32_t capacity) {
    const uint32_t rounds = 1 + rng() % 4;
    static const uint8_t interesting[] = {0x00, 0xFF, 0x06, 0x09, 0x04, 0x14, '\n', '=', 'A', '/', 0x1B, 0x5F, 0x9F, 0xBF, 0x7F, 0x80};
    for (uint32_t r = 0; r < rounds && length > 0; r++) {
        const uint32_t at = rng() % length;
        switch (rng() % 5) {
        case 0: bytes[at] ^= (uint8_t)(1u << (rng() % 8)); break;
        case 1: bytes[at] = interesting[rng() % sizeof interesting]; break;
        case 2:
            if (length < capacity) {
                memmove(bytes + at + 1, bytes + at, length - at);
                bytes[at] = (uint8_t)rng();
                length++;
            }
            break;
        case 3:
            memmove(bytes + at, bytes + at + 1, length - at - 1);
            length--;
            break;
        default: length = at; break;
        }
    }
    return length;
}

static runicos_smp_decoder fuzz_decoder;
static uint8_t fuzz_response[RUNICOS_SMP_MESSAGE_BYTES];
static uint32_t fuzz_packets, fuzz_answers;

static void fuzz_feed(const uint8_t *bytes, uint32_t length) {
    for (uint32_t i = 0; i < length; i++) {
        if (runicos_smp_decoder_feed(&fuzz_decoder, bytes[i]) != RUNICOS_SMP_SERIAL_PACKET) continue;
        fuzz_packets++;
        uint32_t message_length;
        const uint8_t *message = runicos_smp_decoder_message(&fuzz_decoder, &message_length);
        const runicos_smp_result result = runicos_smp_handle(message, message_length, fuzz_response);
        if (result.response_bytes != 0) {
            fuzz_answers++;
            if (result.response_bytes > RUNICOS_SMP_MESSAGE_BYTES) {
                printf("fuzz: response of %u bytes\n", result.response_bytes);
                failures++;
            }
        }
    }
}

static void test_fuzz(uint32_t iterations) {
    link_host_wipe();
    runicos_smp_decoder_init(&fuzz_decoder);
    /* Seeds: one request of every kind, as frames and as bare messages. */
    static uint8_t seeds[8][RUNICOS_SMP_MESSAGE_BYTES];
    uint32_t seed_lengths[8];
    static uint8_t image[1024];
    uint8_t rune_sha[32] = {1};
    const uint32_t image_length = link_host_build_image(image, sizeof image, 0, 64, (const uint8_t *)"m", 1, rune_sha);
    uint8_t sha[32];
    sha_of(image, image_length, sha);
    upload_chunk first = {0, image, 300, image_length, sha, 32, false};
    upload_chunk second = {300, image + 300, image_length - 300, 0, 0, 0, false};
    seed_lengths[0] = make_request(seeds[0], RUNICOS_SMP_OP_WRITE, 0, 0, build_echo, "fuzz me");
    seed_lengths[1] = make_request(seeds[1], RUNICOS_SMP_OP_READ, 0, 6, build_empty, 0);
    seed_lengths[2] = make_request(seeds[2], RUNICOS_SMP_OP_READ, 1, 0, build_empty, 0);
    seed_lengths[3] = make_request(seeds[3], RUNICOS_SMP_OP_WRITE, 1, 1, build_upload, &first);
    seed_lengths[4] = make_request(seeds[4], RUNICOS_SMP_OP_WRITE, 1, 1, build_upload, &second);
    seed_lengths[5] = make_request(seeds[5], RUNICOS_SMP_OP_READ, 64, 0, build_empty, 0);
    seed_lengths[6] = make_request(seeds[6], RUNICOS_SMP_OP_WRITE, 0, 5, build_empty, 0);
    const uint8_t nested[] = {0xBF, 0x61, 'd', 0x9F, 0x5F, 0x41, 0, 0xFF, 0xFF, 0x61, 'x', 0xC1, 0x81, 0xA1, 0x61, 'y', 0xF6, 0xFF};
    const runicos_smp_header nested_header = {RUNICOS_SMP_OP_WRITE, 1, 0, sizeof nested, 0, 1, 0};
    runicos_smp_header_write(&nested_header, seeds[7]);
    memcpy(seeds[7] + 8, nested, sizeof nested);
    seed_lengths[7] = 8 + sizeof nested;

    static uint8_t bytes[RUNICOS_SMP_PACKET_BYTES * 2];
    for (uint32_t i = 0; i < iterations; i++) {
        const uint32_t s = rng() % 8;
        if (rng() % 2 == 0) {
            /* Mutate the message, frame it properly: the server and CBOR reader take the blows. */
            uint32_t length = seed_lengths[s];
            memcpy(bytes, seeds[s], length);
            length = mutate(bytes, length, RUNICOS_SMP_MESSAGE_BYTES);
            wire_reset();
            runicos_smp_encode(bytes, length, capture, 0);
            fuzz_feed(wire, wire_used);
        } else {
            /* Mutate the frame itself: the decoder takes them. */
            wire_reset();
            runicos_smp_encode(seeds[s], seed_lengths[s], capture, 0);
            const uint32_t length = mutate(wire, wire_used, sizeof wire);
            fuzz_feed(wire, length);
        }
    }
    /* Whatever came before, a good frame still gets through. */
    wire_reset();
    wire_append("\n");
    runicos_smp_encode(seeds[0], seed_lengths[0], capture, 0);
    const uint32_t before = fuzz_answers;
    fuzz_feed(wire, wire_used);
    CHECK(fuzz_answers == before + 1, "the decoder recovers after the fuzz loop");
    CHECK(fuzz_packets > iterations / 4 && fuzz_packets < iterations, "the fuzz loop reached the server (%u packets)", fuzz_packets);
}

int main(int argc, char **argv) {
    uint32_t iterations = 100000;
    if (argc > 1) iterations = (uint32_t)strtoul(argv[1], 0, 10);
    test_crc_and_base64();
    test_frames();
    test_cbor();
    test_server();
    test_fuzz(iterations);
    if (failures == 0) printf("smp: all checks passed (%u fuzz iterations)\n", iterations);
    return failures == 0 ? 0 : 1;
}
