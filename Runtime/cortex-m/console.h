/*
 * console.h - line-buffered text on the board's serial port.
 *
 * Everything the firmware prints (records, logs, errors) is built from these
 * pieces; buffering turns a record's hundreds of small pieces into a few
 * rune_board_serial_write calls, and a line is always sent whole.
 */
#ifndef RUNE_CORTEX_M_CONSOLE_H
#define RUNE_CORTEX_M_CONSOLE_H

#include "rune.h"

void rune_console_write(const char *data, uint32_t length);
void rune_console_text(const char *text); /* NUL-terminated */
void rune_console_u64(uint64_t value);
void rune_console_i64(int64_t value);
/* Bytes as the inside of a JSON string (quotes not included). */
void rune_console_json_escaped(const char *data, uint32_t length);
/* Ends the line and sends it. */
void rune_console_end_line(void);
void rune_console_flush(void);

#endif /* RUNE_CORTEX_M_CONSOLE_H */
