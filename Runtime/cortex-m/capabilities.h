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

/* "I32[4]", "F32[128, 3]": a tensor type as the host's messages spell it. */
void rune_console_tensor_type(const rune_tensor_info *tensor);

#endif /* RUNE_CORTEX_M_CAPABILITIES_H */
