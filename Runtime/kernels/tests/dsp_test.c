/*
 * The Armv7E-M DSP int8 kernels (kernels/optimized/, the _dsp headers) against the reference, on the host:
 * RUNE_KERNELS_EMULATE_DSP gives each DSP instruction its exact semantics in plain C, and the
 * generic kernel headers then dispatch to the DSP kernels, which optimized_test.c's random
 * cases compare byte for byte with the reference. The real instructions run under QEMU, in the
 * Cortex-M model tests (Tests/EndToEndTests/CortexMTests.swift).
 *
 *     dsp_test [SEED [CASES]]
 */
#define RUNE_KERNELS_EMULATE_DSP
#include "optimized_test.c"

#ifndef RUNE_KERNELS_DSP
#error "the generic kernel headers must take the DSP paths under RUNE_KERNELS_EMULATE_DSP"
#endif
