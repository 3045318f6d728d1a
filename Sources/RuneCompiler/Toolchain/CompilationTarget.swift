/// The machine a rune is compiled for.
public enum CompilationTarget: String, Sendable, CaseIterable {
    /// A `.rune`: a WebAssembly module run by a host runtime.
    case wasm32
    /// Firmware for a Cortex-M7 with a double-precision FPU (`thumbv7em-none-eabihf`).
    case cortexM7 = "cortex-m7"

    var triple: String {
        switch self {
        case .wasm32: "wasm32-unknown-unknown"
        case .cortexM7: "thumbv7em-unknown-none-eabihf"
        }
    }

    var cpu: String {
        switch self {
        case .wasm32: "generic"
        case .cortexM7: "cortex-m7"
        }
    }

    var features: String {
        switch self {
        case .wasm32: "+sign-ext,+mutable-globals"
        case .cortexM7: "+fp-armv8d16,+thumb-mode"
        }
    }

    /// Target arguments for clang -cc1.
    var frontendArguments: [String] {
        switch self {
        case .wasm32:
            ["-triple", triple, "-target-cpu", cpu, "-target-feature", "+sign-ext",
             "-target-feature", "+mutable-globals"]
        case .cortexM7:
            ["-triple", triple, "-target-cpu", cpu, "-target-abi", "aapcs",
             "-mfloat-abi", "hard", "-target-feature", "+fp-armv8d16",
             "-target-feature", "+thumb-mode"]
        }
    }
}

/// How hard LLVM optimizes: `-O0`, `-O2` or `-Os` (the default: runes are small first).
public enum OptimizationLevel: String, Sendable, CaseIterable {
    case none = "O0"
    case speed = "O2"
    case size = "Os"
    /// Smallest code even at some speed: RunicOS, whose time goes to the rune it runs.
    case minimumSize = "Oz"

    var frontendArgument: String { "-\(rawValue)" }

    /// The LLVM new-pass-manager pipeline.
    var passPipeline: String {
        switch self {
        case .none: "default<O0>"
        case .speed: "default<O2>"
        case .size: "default<Os>"
        case .minimumSize: "default<Oz>"
        }
    }
}
