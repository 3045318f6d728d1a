/* console.c - line-buffered text on the board's serial port (console.h). */
#include "cortex-m/console.h"
#include "cortex-m/board.h"
#include "cortex-m/json.h"

#ifndef RUNE_CONSOLE_BUFFER_BYTES
#define RUNE_CONSOLE_BUFFER_BYTES 256
#endif

static char buffer[RUNE_CONSOLE_BUFFER_BYTES];
static uint32_t buffered;

void rune_console_flush(void) {
    if (buffered == 0) return;
    rune_board_serial_write(buffer, buffered);
    buffered = 0;
}

void rune_console_write(const char *data, uint32_t length) {
    while (length > 0) {
        if (buffered == sizeof buffer) rune_console_flush();
        uint32_t room = (uint32_t)sizeof buffer - buffered;
        uint32_t chunk = length < room ? length : room;
        for (uint32_t i = 0; i < chunk; i++) buffer[buffered + i] = data[i];
        buffered += chunk;
        data += chunk;
        length -= chunk;
    }
}

void rune_console_text(const char *text) {
    uint32_t length = 0;
    while (text[length]) length++;
    rune_console_write(text, length);
}

void rune_console_u64(uint64_t value) {
    char digits[RUNE_JSON_NUMBER_MAX];
    rune_console_write(digits, rune_json_u64(digits, value));
}

void rune_console_i64(int64_t value) {
    char digits[RUNE_JSON_NUMBER_MAX];
    rune_console_write(digits, rune_json_i64(digits, value));
}

void rune_console_json_escaped(const char *data, uint32_t length) {
    char escaped[8];
    for (uint32_t i = 0; i < length; i++) {
        rune_console_write(escaped, rune_json_escape_byte(escaped, (uint8_t)data[i]));
    }
}

void rune_console_end_line(void) {
    rune_console_write("\n", 1);
    rune_console_flush();
}
