/*
 * config.h - what `runec runicos` generates for one build of RunicOS (beside
 * firmware.h's embedded inputs, iterations, seed and timing switch).
 */
#ifndef RUNICOS_CONFIG_H
#define RUNICOS_CONFIG_H

#include "runicos/slots.h"

/* The board's slots and rune RAM region (from runec's Board.swift). */
extern const runicos_layout runicos_board_layout;
/* What the slots are stored in: RAM on mps2-an500, flash on portenta-h7. */
extern const runicos_storage *const runicos_slot_storage;
/* An image built in (`--rune`), installed into slot A at the first boot
 * that finds no active slot; runicos_factory_image_bytes is 0 without one. */
extern const uint8_t runicos_factory_image[];
extern const uint32_t runicos_factory_image_bytes;
/* A call running longer is stopped with a timeout trap; 0: no limit. */
extern const uint32_t runicos_call_timeout_ms;
/* Non-zero: exit (where the board can) once the rune has made
 * rune_firmware_iterations calls or was stopped, instead of waiting for
 * the host to send another. For tests and benchmarks. */
extern const uint32_t runicos_exit_when_done;

#endif /* RUNICOS_CONFIG_H */
