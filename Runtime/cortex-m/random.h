/*
 * random.h - the RAND capability's readings: deterministic pseudo-random
 * numbers from a seed, the same on every host and board.
 *
 * One implementation: the firmware compiles this file, and `rune run` calls the
 * same file through the CRuneShared target, so a seed gives the same numbers on
 * a board and on a workstation by construction.
 */
#ifndef RUNE_CORTEX_M_RANDOM_H
#define RUNE_CORTEX_M_RANDOM_H

#include "rune.h"

/* The next draw of a SplitMix64 stream. */
uint64_t rune_random_next(uint64_t *state);

/* The state a capability's stream starts from: the run's seed mixed with the
 * FNV-1a hash of the capability's name, so adding a capability leaves the
 * other streams be. */
uint64_t rune_random_stream_start(uint64_t seed, const uint8_t *name, uint32_t length);

/*
 * One reading: `elements` draws as elements of `element_type` (rune.h), stored
 * little-endian in `buffer`. Floats are uniform in [0, 1) (m x 2^-24 for f32,
 * m x 2^-53 for f64); integers take the low bytes of each draw. Returns the
 * bytes written, or 0 for a type RAND cannot produce (utf8, unknown).
 */
uint32_t rune_random_fill(uint64_t *state, uint8_t element_type, uint32_t elements, uint8_t *buffer);

#endif /* RUNE_CORTEX_M_RANDOM_H */
