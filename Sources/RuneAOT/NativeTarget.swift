internal import CLLVM
import CRuneLinker

/// The machine native code is made for: an LLVM target triple, a CPU and its features.
///
/// Code is tuned for one CPU (`-mcpu=native`), so a cache entry made on one machine is only
/// reused on a machine that reports the same triple, CPU name and features. The translator
/// takes the target as a parameter; only the host is implemented for now.
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

    /// `x86_64-pc-linux-gnu (skylake)`.
    public var description: String { "\(triple) (\(cpu))" }

    /// The LLVM version the translator was built with, part of every cache key.
    public static let llvmVersion: String = String(cString: RuneLinkerLLVMVersion())

    /// Registers LLVM's code generator for the host architecture, once.
    static let initialized: Bool = {
        #if arch(x86_64)
        LLVMInitializeX86TargetInfo()
        LLVMInitializeX86Target()
        LLVMInitializeX86TargetMC()
        LLVMInitializeX86AsmPrinter()
        #elseif arch(arm64)
        LLVMInitializeAArch64TargetInfo()
        LLVMInitializeAArch64Target()
        LLVMInitializeAArch64TargetMC()
        LLVMInitializeAArch64AsmPrinter()
        #endif
        return true
    }()
}
