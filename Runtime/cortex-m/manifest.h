/*
 * manifest.h - the parts of a rune's manifest (format in rune.h) the firmware
 * acts on: capabilities to feed and outputs to print.
 *
 * Names point into the manifest itself rather than being copied, and a
 * tensor keeps its dimensions in their encoded form, so the parsed view of a
 * large rune still costs only a few kilobytes of static RAM.
 */
#ifndef RUNE_CORTEX_M_MANIFEST_H
#define RUNE_CORTEX_M_MANIFEST_H

#include "rune.h"
#include "rune_kinds.h"
#include "cortex-m/firmware.h"

typedef struct rune_text {
    const char *data;
    uint32_t length;
} rune_text;

typedef struct rune_tensor_info {
    uint8_t element_type; /* rune_element_type */
    uint8_t rank;
    uint32_t elements;
    uint32_t bytes;
    const uint8_t *dimensions; /* `rank` ULEB128 values, already validated */
} rune_tensor_info;

typedef struct rune_capability_info {
    rune_text name;
    rune_text kind;                /* as the manifest spells it, for messages */
    rune_capability_kind kind_id;  /* `kind` mapped once; RUNE_CAPABILITY_KIND_UNKNOWN if no known kind */
    rune_tensor_info tensor;
} rune_capability_info;

typedef struct rune_output_info {
    rune_text name;
    rune_text kind;
    uint32_t first_tensor; /* index into rune_manifest_view.output_tensors */
    uint32_t tensor_count;
} rune_output_info;

typedef struct rune_manifest_view {
    uint32_t capability_count;
    rune_capability_info capabilities[RUNE_FIRMWARE_MAX_CAPABILITIES];
    uint32_t output_count;
    rune_output_info outputs[RUNE_FIRMWARE_MAX_OUTPUTS];
    uint32_t output_tensor_count;
    rune_tensor_info output_tensors[RUNE_FIRMWARE_MAX_OUTPUT_TENSORS];
} rune_manifest_view;

/* Where and why parsing stopped, worded like the host's ManifestError. */
typedef struct rune_manifest_error {
    uint32_t offset;
    const char *message;
} rune_manifest_error;

/*
 * Reads the blob rune_manifest() returns (a little-endian u32 byte count,
 * then the manifest), checking every length, count and tensor against the
 * bytes present and the host's limits. Returns 0, or -1 with `error` set.
 */
int rune_manifest_parse(const uint8_t *blob, rune_manifest_view *view, rune_manifest_error *error);

/* The ID of the capability kind the manifest spells `kind` ("SOUND"), or
 * RUNE_CAPABILITY_KIND_UNKNOWN. */
rune_capability_kind rune_capability_kind_from_text(rune_text kind);

/* Dimension `index` of a parsed tensor. */
uint32_t rune_tensor_dimension(const rune_tensor_info *tensor, uint32_t index);

/* The element type's name as printed in records: "f32", "utf8", ... */
const char *rune_element_type_name(uint8_t element_type);

#endif /* RUNE_CORTEX_M_MANIFEST_H */
