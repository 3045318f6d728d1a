/*
 * outputs.h - SERIAL records. rune_output_write (rune.h) collects the tensors
 * of each output during a call; when the call returns they are printed, one
 * JSON line per output that received its tensors, in manifest order, as
 * `rune run` prints them.
 */
#ifndef RUNE_CORTEX_M_OUTPUTS_H
#define RUNE_CORTEX_M_OUTPUTS_H

#include "cortex-m/manifest.h"

void rune_outputs_prepare(const rune_manifest_view *manifest);
/* Forgets the previous call's tensors. */
void rune_outputs_begin_call(void);
/* Prints the call's records. Returns 0, or 1 after printing an error line if
 * an output received only some of its tensors. */
int rune_outputs_finish_call(void);

#endif /* RUNE_CORTEX_M_OUTPUTS_H */
