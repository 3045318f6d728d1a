/*
 * rune_kinds.h - capability and output kinds as integer IDs.
 *
 * GENERATED from Sources/RuneManifest/CapabilityKind.swift (CapabilityKind,
 * OutputKind); do not edit. `RUNE_UPDATE_GOLDEN=1 swift test --filter
 * RuneKindsHeaderTests` rewrites it, and that test fails when this file and
 * the Swift enums disagree.
 *
 * A manifest spells kinds as text ("SOUND"). C code maps the text to an ID
 * once, when it parses the manifest (RUNE_CAPABILITY_KINDS lists every
 * spelling), and compares IDs after that. 0 is a kind this runtime does not
 * know. IDs are stable: a kind keeps its number for good.
 */
#ifndef RUNE_KINDS_H
#define RUNE_KINDS_H

typedef enum rune_capability_kind {
    RUNE_CAPABILITY_KIND_UNKNOWN = 0,
    RUNE_CAPABILITY_KIND_RAW = 1,
    RUNE_CAPABILITY_KIND_RAND = 2,
    RUNE_CAPABILITY_KIND_SOUND = 3,
    RUNE_CAPABILITY_KIND_IMAGE = 4,
    RUNE_CAPABILITY_KIND_ACCEL = 5,
} rune_capability_kind;

/* X(ID, "SPELLING") for every capability kind, in ID order. */
#define RUNE_CAPABILITY_KINDS(X) \
    X(RUNE_CAPABILITY_KIND_RAW, "RAW") \
    X(RUNE_CAPABILITY_KIND_RAND, "RAND") \
    X(RUNE_CAPABILITY_KIND_SOUND, "SOUND") \
    X(RUNE_CAPABILITY_KIND_IMAGE, "IMAGE") \
    X(RUNE_CAPABILITY_KIND_ACCEL, "ACCEL") \
    /* end */

typedef enum rune_output_kind {
    RUNE_OUTPUT_KIND_UNKNOWN = 0,
    RUNE_OUTPUT_KIND_SERIAL = 1,
} rune_output_kind;

/* X(ID, "SPELLING") for every output kind, in ID order. */
#define RUNE_OUTPUT_KINDS(X) \
    X(RUNE_OUTPUT_KIND_SERIAL, "SERIAL") \
    /* end */

#endif /* RUNE_KINDS_H */
