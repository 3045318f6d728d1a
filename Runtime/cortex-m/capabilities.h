/*
 * capabilities.h - where each capability's readings come from on a board:
 * the inputs runec embedded, or the RAND generator. rune_capability_read
 * (rune.h) is implemented on top of this.
 */
#ifndef RUNE_CORTEX_M_CAPABILITIES_H
#define RUNE_CORTEX_M_CAPABILITIES_H

#include "cortex-m/manifest.h"

/*
 * Binds every capability of `manifest` to its source. If one cannot be fed,
 * prints the single error line saying which and returns 1; else 0. The
 * manifest must outlive every later rune_capability_read.
 */
int rune_capabilities_prepare(const rune_manifest_view *manifest);

/* RunicOS: a capability with neither an embedded input nor a source of its
 * own is accepted by rune_capabilities_prepare, to be fed later by the host
 * (rune_capabilities_feed). The embedded inputs were converted for the
 * built-in rune; `use_embedded` is false for any other. */
void rune_capabilities_allow_feeding(bool allow, bool use_embedded);

/* Replaces capability `index`'s source with `input` (which must outlive the
 * calls reading it). 0, or -1 if there is no such capability or `input`'s
 * length is not its tensor's byte count. */
int rune_capabilities_feed(uint32_t index, const rune_embedded_input *input);

/* Non-zero if capability `index` has a source of its own (an embedded input
 * or RAND's generator), so the host need not feed it. */
int rune_capabilities_has_source(uint32_t index);

/* "I32[4]", "F32[128, 3]": a tensor type as the host's messages spell it. */
void rune_console_tensor_type(const rune_tensor_info *tensor);

#endif /* RUNE_CORTEX_M_CAPABILITIES_H */
