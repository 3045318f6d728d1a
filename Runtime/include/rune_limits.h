/*
 * rune_limits.h - the host's limits on a manifest and a log message, for C.
 *
 * Generated from RuneLimits (Sources/RuneManifest/RuneLimits.swift) by
 * ManifestLimitsHeaderTests (RUNE_UPDATE_GOLDEN=1 rewrites it); that test
 * fails when the two differ, so the limits are defined once, in Swift.
 */
#ifndef RUNE_LIMITS_H
#define RUNE_LIMITS_H

#define RUNE_MAX_MANIFEST_ENTRIES 1024u
#define RUNE_MAX_NAME_BYTES 256u
#define RUNE_MAX_STRING_BYTES 65536u
#define RUNE_MAX_RANK 8u
#define RUNE_MAX_TENSOR_ELEMENTS 67108864u
#define RUNE_MAX_TENSOR_BYTES 67108864u
#define RUNE_MAX_LOG_MESSAGE_BYTES 4096u

#endif /* RUNE_LIMITS_H */
