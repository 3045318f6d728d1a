import Foundation
import RuneFrontEnd
import RuneManifest

/// Firmware that runs a rune as native code the AOT engine translated from its WebAssembly
/// (`runec aot app.rune --target cortex-m7 --board B`), rather than as C compiled from its
/// Runefile: the sandboxed counterpart of direct firmware.
///
/// The image is the rune's object (from `AOTCompiler.compile(_:target: .cortexM7, emit:
/// .object)`, whose one symbol is its module descriptor) linked with the Cortex-M runtime
/// (console, capabilities, outputs, log, startup, builtins), its AOT host (`Runtime/cortex-m/
/// aot/`: instantiation, traps, the rune ABI over the rune's memory), the board's support code
/// and linker script, and the generated unit holding the embedded inputs and run settings:
/// the same pieces, compiled by the same in-process toolchain, as direct firmware.
public struct AOTFirmware: Sendable {
    public var options: FirmwareOptions
    /// The rune's manifest (its `rune.manifest` section): which capabilities the embedded
    /// inputs are for, and how to convert them.
    public var manifest: Manifest

    public init(options: FirmwareOptions, manifest: Manifest) {
        self.options = options
        self.manifest = manifest
    }

    /// What a build produced: the linked ELF image, its size, and warnings about the inputs.
    public struct Product: Sendable {
        public var image: [UInt8]
        public var size: FirmwareSize
        public var warnings: [String]
    }

    /// Why a build failed, in sentences for the command line.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var messages: [String]
        public var description: String { messages.joined(separator: "\n") }
        public init(messages: [String]) { self.messages = messages }
    }

    /// Links `object` into firmware for `options.board`.
    public func build(object: [UInt8], toolchain: any ToolchainExecutor = Toolchain()) throws(Failure) -> Product {
        let diagnostics = DiagnosticEngine()
        let planner = FirmwarePlanner(options: options, manifest: manifest)
        // A .rune has no Runefile to point into: the message names the capability instead.
        planner.checkBoardCapabilities(declaredAt: [:], diagnostics: diagnostics)
        let inputs = planner.embeddedInputs(diagnostics: diagnostics)
        let warnings = diagnostics.warnings.map(\.message)
        guard !diagnostics.hasErrors else { throw Failure(messages: diagnostics.errors.map(\.message)) }
        let built: BuildProduct
        do {
            built = try toolchain.build(plan(object: object, configuration: planner.configurationSource(inputs: inputs)))
        } catch {
            if case .link(let message) = error, message.contains("will not fit in region") || message.contains("overflowed") {
                throw Failure(messages: ["the firmware does not fit board \(options.board.name): \(FirmwarePlanner.overflowSummary(message))"])
            }
            throw Failure(messages: ["cannot link the firmware: \(error)"])
        }
        let image: ELFImage
        do {
            image = try ELFImage(built.binary)
        } catch {
            throw Failure(messages: ["the linked firmware is not a valid ELF file: \(error)"])
        }
        return Product(image: built.binary, size: FirmwarePlanner.size(of: image, arenaBytes: 0), warnings: warnings)
    }

    /// The runtime's C with the AOT host in place of direct firmware's boot sequence
    /// (`firmware.c`, which calls the generated pipeline by name), and `object`.
    func plan(object: [UInt8], configuration: String) -> BuildPlan {
        let prefix = RuntimeLibrary.path("cortex-m/")
        let aot = RuntimeLibrary.path("cortex-m/aot/")
        let runtime = RuntimeLibrary.files.keys.filter { path in
            guard path.hasSuffix(".c") else { return false }
            if path.hasPrefix(aot) { return !path.dropFirst(aot.count).contains("/") }
            return path.hasPrefix(prefix) && !path.dropFirst(prefix.count).contains("/") && path != RuntimeLibrary.path("cortex-m/firmware.c")
        }.sorted()
        var units = [RuntimeLibrary.path("lib/memory.c")] + runtime + [RuntimeLibrary.path(options.board.source)]
        units = units.filter { RuntimeLibrary.files[$0] != nil }
        var plan = BuildPlan(
            target: .cortexM7, optimization: .size, debugInfo: false,
            units: units.map { BuildPlan.TranslationUnit(path: $0, source: nil) }
                + [BuildPlan.TranslationUnit(path: "/rune/generated/firmware-config.c", source: configuration)],
            headers: RuntimeLibrary.files, includeDirectories: RuntimeLibrary.includeDirectories,
            exportedSymbols: ["Reset_Handler"] + Self.helpersOfTranslatedCode, linkerArguments: [])
        plan.linkerScript = RuntimeLibrary.source(options.board.linkerScript)
        plan.objects = [object]
        return plan
    }

    /// What code generation of translated WebAssembly may call on Cortex-M (Runtime/cortex-m/
    /// builtins.c, Runtime/lib/memory.c): memory.copy/fill, 64-bit division, conversions between
    /// floats and 64-bit integers. They live in another object than their callers, so they
    /// must stay visible through whole-program optimization of the runtime.
    static let helpersOfTranslatedCode = [
        "memcpy", "memmove", "memset", "memcmp",
        "__aeabi_memcpy", "__aeabi_memcpy4", "__aeabi_memcpy8", "__aeabi_memmove", "__aeabi_memmove4", "__aeabi_memmove8",
        "__aeabi_memset", "__aeabi_memset4", "__aeabi_memset8", "__aeabi_memclr", "__aeabi_memclr4", "__aeabi_memclr8",
        "__aeabi_d2lz", "__aeabi_d2ulz", "__aeabi_f2lz", "__aeabi_f2ulz",
        "__aeabi_l2d", "__aeabi_ul2d", "__aeabi_l2f", "__aeabi_ul2f",
        "__aeabi_ldivmod", "__aeabi_uldivmod", "sqrt", "sqrtf",
    ]
}
