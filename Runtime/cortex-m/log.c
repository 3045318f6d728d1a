/*
 * log.c - rune_log_write (rune.h): a rune's messages as `[level] message`
 * lines, the words and cap `rune run` uses, on the same serial port as the
 * records since a board has only the one.
 */
#include "cortex-m/console.h"

/* The host reads at most this much of one message. */
#define MAX_LOG_BYTES 65536u

void rune_log_write(uint32_t level, const char *message, uint32_t length) {
    static const char *const names[] = {"log", "error", "warning", "info", "debug"};
    rune_console_text("[");
    rune_console_text(level < sizeof names / sizeof names[0] ? names[level] : names[0]);
    rune_console_text("] ");
    if (message != NULL) rune_console_write(message, length < MAX_LOG_BYTES ? length : MAX_LOG_BYTES);
    rune_console_end_line();
}
