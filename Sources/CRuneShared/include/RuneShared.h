// RuneShared: the C of Runtime/ that the host runs as well as the boards, so the two agree by
// construction rather than by testing two implementations against each other:
// - JSON numbers and string escapes of SERIAL records (Runtime/cortex-m/json.h);
// - the RAND capability's stream (Runtime/cortex-m/random.h).
//
// The prototypes are repeated here because Runtime's headers assume a freestanding build;
// RuneShared.c includes both, so the compiler checks that they match.
#ifndef RUNE_SHARED_H
#define RUNE_SHARED_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Longest spelling of a number (RUNE_JSON_NUMBER_MAX).
#define RUNE_SHARED_JSON_NUMBER_MAX 32

uint32_t rune_json_f32_bits(char *out, uint32_t bits);
uint32_t rune_json_f64_bits(char *out, uint64_t bits);
uint32_t rune_json_escape_byte(char *out, uint8_t byte);

uint64_t rune_random_next(uint64_t *state);
uint64_t rune_random_stream_start(uint64_t seed, const uint8_t *name, uint32_t length);
uint32_t rune_random_fill(uint64_t *state, uint8_t element_type, uint32_t elements, uint8_t *buffer);

#ifdef __cplusplus
}
#endif
#endif
