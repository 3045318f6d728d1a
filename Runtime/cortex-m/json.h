/*
 * json.h - numbers and string bytes spelled exactly as every Rune host spells
 * them in SERIAL records (README, "Outputs"), so a board's lines can be
 * compared byte for byte with `rune run`.
 *
 * Floats are taken as bit patterns: the formatter needs no FPU and no libgcc
 * helpers, and the caller never has to convert a tensor element to a float.
 */
#ifndef RUNE_CORTEX_M_JSON_H
#define RUNE_CORTEX_M_JSON_H

#include "rune.h"

/* Longest spelling of any number below ("-1.2345678901234567e-308" is 24). */
#define RUNE_JSON_NUMBER_MAX 32

/* Each writes the spelling to `out` (not NUL-terminated) and returns its length. */
uint32_t rune_json_u64(char *out, uint64_t value);
uint32_t rune_json_i64(char *out, int64_t value);

/*
 * The shortest decimal that reads back as the same value in the element's own
 * precision, closest to it when several are that short, laid out like
 * ECMAScript Number::toString (`3`, `0.5`, `1e-7`, `1.5e+21`). NaN and the
 * infinities print `null`; -0 prints `0`.
 */
uint32_t rune_json_f32_bits(char *out, uint32_t bits);
uint32_t rune_json_f64_bits(char *out, uint64_t bits);

/*
 * The escaped form of one byte inside a JSON string: `\"`, `\\`, `\b`, `\f`,
 * `\n`, `\r`, `\t`, other control bytes as `\u00xx`, every other byte (UTF-8
 * included) as itself. `out` needs 6 bytes.
 */
uint32_t rune_json_escape_byte(char *out, uint8_t byte);

#endif /* RUNE_CORTEX_M_JSON_H */
