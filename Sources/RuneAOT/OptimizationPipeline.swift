internal import CLLVM

/// How translated modules are optimized before machine code is generated.
///
/// LLVM's O2 with one change: loops are not partially or runtime-unrolled. Every memory access
/// in a loop has a bounds check that can leave the loop (to the trap block), so an unrolled
/// loop has several exits per copy of its body, and Loop Strength Reduction in code generation
/// takes time superlinear in those. On the microspeech example, O2's unrolling made code
/// generation 0.5 s of a 0.7 s translation (LSR alone 0.35 s) for one FFT function, and bought
/// under 3% per call. Loops with a small constant trip count are still unrolled fully, after
/// vectorization, where that pays: their exits disappear with the loop.
enum OptimizationPipeline {
    /// The new pass manager pipeline (`LLVMRunPasses`).
    static let passes = "default<O2>,function(loop-unroll<O2;no-partial;no-runtime>,instcombine,simplifycfg)"

    /// `passes` for code whose loads and stores carry explicit checks (32-bit targets): first
    /// inductive range check elimination, which splits a loop whose accesses walk an induction
    /// variable into one part that needs no check and short ones that keep them. On the
    /// microspeech example on Cortex-M7 (QEMU, instructions per call) it takes the checked code
    /// from 509k to 403k, against 223k unchecked.
    static let checkedPasses = "default<O2>,function(irce,loop-unroll<O2;no-partial;no-runtime>,instcombine,simplifycfg)"

    /// The pipeline for code isolated by `isolation`.
    static func passes(for isolation: MemoryIsolation) -> String {
        isolation == .explicitChecks ? checkedPasses : passes
    }

    /// Options for `passes`: O2's own unrolling off (the pipeline above runs full unrolling only).
    /// The caller disposes of them.
    static func makeOptions() -> LLVMPassBuilderOptionsRef {
        let options = LLVMCreatePassBuilderOptions()!
        LLVMPassBuilderOptionsSetLoopUnrolling(options, 0)
        return options
    }
}
