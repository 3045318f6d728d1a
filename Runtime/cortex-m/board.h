/*
 * board.h - what the Cortex-M runtime needs from a board, and nothing more.
 *
 * Each board is one C file under boards/ with a linker script beside it. The
 * runtime never touches a peripheral itself, so moving to another Cortex-M7
 * (or M4/M33) board means writing these functions and a memory map.
 */
#ifndef RUNE_CORTEX_M_BOARD_H
#define RUNE_CORTEX_M_BOARD_H

#include "rune.h"
#include "rune_kinds.h"
#include "cortex-m/serial_ring.h"

/* Called once from Reset_Handler before anything is printed: the serial
 * port and the cycle counter (DWT CYCCNT where the core has one). */
void rune_board_init(void);

/* Blocking write of raw bytes; no newline translation. */
void rune_board_serial_write(const char *data, uint32_t length);

/* Non-blocking read of one received byte from the board's receive ring
 * (serial_ring.h), which the UART interrupt fills: RUNE_SERIAL_BYTE (1) with
 * it in `*byte`, RUNE_SERIAL_NONE (0) if nothing is waiting, or
 * RUNE_SERIAL_LOST (-1) once where received bytes were dropped (the ring
 * was full or the UART overran), so a frame across the gap is abandoned.
 * RunicOS's link protocol polls it. */
int rune_board_serial_read(uint8_t *byte);

/* Called for every external interrupt with its number (IPSR - 16): 1 if
 * the board served it (its UART's receive interrupt), 0 if it is not the
 * board's, which is then reported as unexpected. */
int rune_board_irq(uint32_t irq);

/* Restarts the core (SCB AIRCR SYSRESETREQ) once the serial port has sent
 * what it holds. */
void rune_board_reset(void) __attribute__((noreturn));

/* A free-running counter of core clock cycles; wraps at 2^32. Boards
 * without one return 0 throughout, which timing reports show as 0. */
uint32_t rune_board_cycles(void);

/* Called from the SysTick interrupt, where a board uses SysTick (mps2-an500
 * counts its wraps for rune_board_cycles); others do nothing. */
void rune_board_systick(void);

/* The frequency rune_board_cycles counts at. */
uint32_t rune_board_clock_hz(void);

/* Non-zero if the board can feed capabilities of this kind
 * (RUNE_CAPABILITY_KIND_RAW, ...; never for RUNE_CAPABILITY_KIND_UNKNOWN).
 * The list must match the board's `capabilities` in runec's Board.swift,
 * which a test checks. */
int rune_board_has_capability(rune_capability_kind kind);

/* The board's name as runec spells it ("mps2-an500"), for messages. */
const char *rune_board_name(void);

/* Ends the program with `status` (0 success, 1 refused or failed, 2 bad
 * manifest, 3 fault) where the board can report one, else halts. */
void rune_board_exit(int status) __attribute__((noreturn));

#endif /* RUNE_CORTEX_M_BOARD_H */
