/*
 * log.c - rune_log_write (rune.h): a rune's messages as `[level] message`
 * lines, the words, cap and cut note `rune run` uses, on the same serial port as the
 * records since a board has only the one.
 */
#include "cortex-m/console.h"
#include "rune_limits.h"

void rune_log_write(uint32_t level, const char *message, uint32_t length) {
    static const char *const names[] = {"log", "error", "warning", "info", "debug"};
    rune_console_text("[");
    rune_console_text(level < sizeof names / sizeof names[0] ? names[level] : names[0]);
    rune_console_text("] ");
    if (message != NULL) {
        rune_console_write(message, length < RUNE_MAX_LOG_MESSAGE_BYTES ? length : RUNE_MAX_LOG_MESSAGE_BYTES);
        if (length > RUNE_MAX_LOG_MESSAGE_BYTES) {
            rune_console_text(" [cut: the message has ");
            rune_console_u64(length);
            rune_console_text(" bytes]");
        }
    }
    rune_console_end_line();
}
