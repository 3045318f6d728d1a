internal import CLLVM
import CRuneLinker

/// The machine native code is made for: an LLVM target triple, a CPU and its features.
///
/// Host code is tuned for one CPU (`-mcpu=native`), so a cache entry made on one machine is only
/// reused on a machine that reports the same triple, CPU name and features. Besides the host,
/// the translator makes code for one device, `cortexM7`, which `runec aot --target cortex-m7`
/// links into firmware.
public struct NativeTarget: Hashable, Sendable, CustomStringConvertible {
    public let triple: String
    public let cpu: String
    public let features: String

    /// This machine, as LLVM sees it.
    public static let host: NativeTarget = {
        let triple = LLVMGetDefaultTargetTriple()!
        let name = LLVMGetHostCPUName()!
        let features = LLVMGetHostCPUFeatures()!
        defer {
            LLVMDisposeMessage(triple)
            LLVMDisposeMessage(name)
            LLVMDisposeMessage(features)
        }
        return NativeTarget(triple: String(cString: triple), cpu: String(cString: name), features: String(cString: features))
    }()

    /// A Cortex-M7 with the double-precision FPU (FPv5-D16), hard-float ABI, no operating
    /// system: the firmware of `runec aot --target cortex-m7`. The same CPU and features as
    /// runec's direct firmware (`CompilationTarget.cortexM7`), so both link together. The triple
    /// has all four parts: LLVM reads `thumbv7em-none-eabihf` as vendor "none", OS "eabihf" and
    /// no environment, and then calls GNU helpers (`__fixdfdi`) instead of the Arm EABI's
    /// (`__aeabi_d2lz`), which is what the runtime provides.
    public static let cortexM7 = NativeTarget(triple: "thumbv7em-unknown-none-eabihf", cpu: "cortex-m7",
                                              features: "+fp-armv8d16,+thumb-mode")

    /// The targets `runec aot --target` names, by name.
    public static let named: [String: NativeTarget] = ["host": .host, "cortex-m7": .cortexM7]

    /// `x86_64-pc-linux-gnu (skylake)`.
    public var description: String { "\(triple) (\(cpu))" }

    /// Whether code for this target runs without an operating system: no dynamic loader and
    /// no WebAssembly decoder beside it, so everything instantiation needs (memory, data
    /// segments, globals, table, exports) travels in the object, described by a
    /// `rune_aot_module` (symbol `rune_aot_descriptor`, see `ModuleDescriptor`). No signals either: memory is isolated by
    /// explicit checks.
    public var isBareMetal: Bool { triple.contains("-none-") }

    /// 32-bit Arm (Thumb) code: 4-byte pointers, and its own inline-assembly register classes.
    var isArm32: Bool { triple.hasPrefix("thumb") || triple.hasPrefix("arm") }

    /// Bytes in a pointer of this target.
    var pointerBytes: Int { isArm32 ? 4 : 8 }

    /// How loads and stores are isolated on this target when the caller does not say: guard
    /// pages on a 64-bit host that supports them, explicit checks elsewhere.
    public var defaultIsolation: MemoryIsolation { self == .host ? .host : .explicitChecks }

    /// The LLVM version the translator was built with, part of every cache key.
    public static let llvmVersion: String = String(cString: RuneLinkerLLVMVersion())

    /// Registers LLVM's code generators (the host's, and Arm's for devices), once per process
    /// and under a lock shared with runec's toolchain (see RuneLinkerInitializeTargets).
    static let initialized: Bool = {
        RuneLinkerInitializeTargets()
        return true
    }()
}
