import Foundation
@testable import RuneCompiler
@testable import RuneFrontEnd
import RuneManifest
import Synchronization
import Testing

/// The compilation session: where each `--emit` kind stops, that every phase's diagnostics
/// reach the result, and that runec's own failures are E0900 and never a user's code. The
/// toolchain is a stand-in that records what it was asked and answers as it is told.
@Suite struct CompilationSessionTests {
    /// A toolchain that records its calls and returns (or throws) what it is given.
    final class RecordingToolchain: ToolchainExecutor {
        enum Answer: Sendable {
            case product(BuildProduct)
            case failure(ToolchainError)
        }
        let answer: Answer
        let calls = Mutex<[String]>([])
        init(_ answer: Answer = .product(BuildProduct(binary: Array("\0asm\u{1}\0\0\0".utf8), warnings: []))) {
            self.answer = answer
        }
        var recorded: [String] { calls.withLock { $0 } }

        func build(_ plan: BuildPlan) throws(ToolchainError) -> BuildProduct {
            calls.withLock { $0.append("build") }
            switch answer {
            case .product(let product): return product
            case .failure(let error): throw error
            }
        }

        func emitIR(_ plan: BuildPlan) throws(ToolchainError) -> String {
            calls.withLock { $0.append("emitIR") }
            switch answer {
            case .product: return "; LLVM IR\n"
            case .failure(let error): throw error
            }
        }
    }

    static let noop = """
        FROM runicos/base
        CAPABILITY<I32[4]> input RAW
        OUT serial
        RUN input serial
        """

    static let missingModel = """
        FROM runicos/base
        CAPABILITY<F32[1]> input RAW
        MODEL<F32[1],F32[1]> sine ./no-such-model.tflite
        OUT serial
        RUN input sine serial
        """

    /// The main unit code generation names after the Runefile's folder.
    static let generatedUnit = "/rune/generated/nonexistent-rune-session-test.rune.c"

    func compile(_ text: String, emit: EmitKind = .binary, target: CompilationTarget = .wasm32,
                 firmware: FirmwareOptions = FirmwareOptions(),
                 toolchain: RecordingToolchain = RecordingToolchain()) -> CompilationResult {
        let file = SourceFile(path: "/nonexistent-rune-session-test/Runefile", text: text)
        return Compiler(toolchain: toolchain)
            .compile(file, options: CompilerOptions(emit: emit, target: target, firmware: firmware))
    }

    func codes(_ result: CompilationResult) -> [String] { result.diagnostics.map(\.code.rawValue) }

    // MARK: Where each --emit kind stops

    @Test func syntaxStopsBeforeChecking() {
        let result = compile(Self.missingModel, emit: .syntax)
        #expect(result.succeeded, "\(result.renderedDiagnostics())")
        #expect(result.pipeline == nil)
        #expect(String(decoding: result.artifact ?? [], as: UTF8.self).contains("no-such-model.tflite"))
        // The same Runefile goes on to checking for any other kind, which finds the missing model.
        #expect(codes(compile(Self.missingModel, emit: .ir)) == ["E0400"])
    }

    @Test func syntaxStopsOnParseErrors() {
        let result = compile("FROM runicos/base\nFROBNICATE everything\n", emit: .syntax)
        #expect(!result.succeeded)
        #expect(result.artifact == nil)
        #expect(!result.diagnostics.isEmpty)
    }

    @Test(arguments: [
        (EmitKind.syntax, [String](), false, false),
        (EmitKind.ir, [String](), true, false),
        (EmitKind.c, [String](), true, true),
        (EmitKind.llvmIR, ["emitIR"], true, true),
        (EmitKind.binary, ["build"], true, true),
    ])
    func eachKindStopsAtItsPhase(emit: EmitKind, toolchainCalls: [String], checked: Bool, generated: Bool) {
        let toolchain = RecordingToolchain()
        let result = compile(Self.noop, emit: emit, toolchain: toolchain)
        #expect(result.succeeded, "\(result.renderedDiagnostics())")
        #expect(toolchain.recorded == toolchainCalls)
        #expect((result.pipeline != nil) == checked)
        #expect((result.manifest != nil) == generated)
        #expect(result.artifact?.isEmpty == false)
    }

    @Test func aRuneCarriesTheManifestItsCodeDeclares() throws {
        let result = compile(Self.noop)
        let manifest = try #require(result.manifest)
        let artifact = try #require(result.artifact)
        // The stand-in toolchain's module, then the manifest and pipeline sections.
        let section = WasmCustomSection.append(name: Manifest.sectionName, payload: manifest.encoded(), to: [])
        #expect(artifact.count > 8 + section.count)
        #expect(Array(artifact[8..<(8 + section.count)]) == section)
        let c = String(decoding: compile(Self.noop, emit: .c).artifact ?? [], as: UTF8.self)
        #expect(c.contains("rune_manifest_blob[\(manifest.encoded().count + 4)]"))
    }

    // MARK: Diagnostics of every phase are kept

    @Test func diagnosticsOfEveryPhaseAreKept() {
        // check: W0001; build: a warning from a block, then an image runec cannot read, which is
        // runec's failure: E0900.
        let text = """
            FROM runicos/base
            CAPABILITY<I32[4]> input RAW
            CAPABILITY<U8[16]> spare RAW
            OUT serial
            RUN input serial
            """
        let warning = ClangDiagnostic(severity: .warning, file: "", line: 0, column: 0, message: "unused variable 'x'")
        let toolchain = RecordingToolchain(.product(BuildProduct(binary: [1, 2, 3], warnings: [warning])))
        let result = compile(text, target: .cortexM7, firmware: FirmwareOptions(board: .mps2AN500), toolchain: toolchain)
        #expect(codes(result) == ["W0001", "W0003", "E0900"], "\(result.renderedDiagnostics())")
        #expect(result.artifact == nil)
        #expect(result.firmwareSize == nil)
        #expect(result.manifest != nil)
    }

    /// Firmware for a board that cannot feed a capability is not built: the error points at the
    /// capability's kind, and nothing reaches the toolchain.
    @Test func aCapabilityTheBoardLacksIsACompileError() {
        let text = """
            FROM runicos/base
            CAPABILITY<I32[4]> input RAW
            CAPABILITY<U8[4, 4, 3]> camera IMAGE --width 4 --height 4
            OUT serial
            RUN input serial
            RUN camera serial
            """
        let toolchain = RecordingToolchain(.product(BuildProduct(binary: [1, 2, 3], warnings: [])))
        let result = compile(text, target: .cortexM7, firmware: FirmwareOptions(board: .mps2AN500), toolchain: toolchain)
        #expect(codes(result) == ["E0502"], "\(result.renderedDiagnostics())")
        let diagnostic = result.diagnostics.first
        #expect(diagnostic?.message == "the rune needs capability 'camera' of kind IMAGE, which board mps2-an500 does not provide")
        #expect(diagnostic?.range?.start.line == 3)
        #expect(diagnostic?.range?.start.column == 32)
        #expect(result.artifact == nil)
        #expect(toolchain.recorded.isEmpty)
    }

    @Test func parseAndCheckErrorsAreBothReported() {
        let result = compile("""
            FROM runicos/base
            CAPABILITY<I17[4]> input RAW
            OUT serial
            RUN input sink
            """, emit: .ir)
        #expect(codes(result).contains("E0006"))
        #expect(codes(result).contains("E0101"))
        #expect(result.pipeline == nil)
        #expect(result.artifact == nil)
    }

    @Test func anUnreadableRunefileIsTheUsersError() {
        let result = Compiler(toolchain: RecordingToolchain()).compile(path: "/nonexistent-rune-session-test/Runefile")
        #expect(codes(result) == ["E0400"])
        #expect(result.sources.isEmpty)
    }

    // MARK: Internal errors

    @Test(arguments: [
        ToolchainError.llvm("the pass pipeline failed"),
        ToolchainError.link("unexpected relocation"),
        ToolchainError.compilation(unit: CompilationSessionTests.generatedUnit, diagnostics: [
            ClangDiagnostic(severity: .error, file: CompilationSessionTests.generatedUnit, line: 1, column: 1, message: "oops"),
        ]),
        ToolchainError.compilation(unit: RuntimeLibrary.path("lib/memory.c"), diagnostics: [
            ClangDiagnostic(severity: .error, file: RuntimeLibrary.path("lib/memory.c"), line: 1, column: 1, message: "oops"),
        ]),
    ])
    func toolchainFailuresOnRunecsCodeAreInternal(error: ToolchainError) {
        for emit in [EmitKind.binary, .llvmIR] {
            let toolchain = RecordingToolchain(.failure(error))
            let result = compile(Self.noop, emit: emit, toolchain: toolchain)
            #expect(codes(result) == ["E0900"], "\(emit): \(result.renderedDiagnostics())")
            let diagnostic = result.diagnostics.first
            #expect(diagnostic?.isInternalError == true)
            #expect(diagnostic?.message.hasPrefix("internal error: ") == true)
            #expect(diagnostic?.help?.contains("please report it") == true)
            #expect(result.artifact == nil)
        }
    }

    @Test func aUsersBlockThatDoesNotCompileIsTheUsersError() {
        let block = "/nonexistent-rune-session-test/block.c"
        let error = ToolchainError.compilation(unit: block, diagnostics: [
            ClangDiagnostic(severity: .error, file: block, line: 3, column: 5, message: "use of undeclared identifier 'y'"),
        ])
        let result = compile(Self.noop, toolchain: RecordingToolchain(.failure(error)))
        #expect(codes(result) == ["E0402"])
        #expect(result.diagnostics.first?.range?.start.line == 3)
        #expect(!result.diagnostics.contains { $0.isInternalError })
    }

    @Test func firmwareThatDoesNotFitIsTheUsersError() {
        let error = ToolchainError.link("ld.lld: error: section '.bss' will not fit in region 'RAM': overflowed by 1024 bytes")
        let result = compile(Self.noop, target: .cortexM7, toolchain: RecordingToolchain(.failure(error)))
        #expect(result.diagnostics.map(\.code) == [.imageTooLarge], "\(result.renderedDiagnostics())")
    }

    @Test func anInternalErrorIsReportedOnceWithThePhasesDiagnostics() {
        let text = """
            FROM runicos/base
            CAPABILITY<I32[4]> input RAW
            CAPABILITY<U8[16]> spare RAW
            OUT serial
            RUN input serial
            """
        let result = compile(text, toolchain: RecordingToolchain(.failure(.llvm("boom"))))
        #expect(codes(result) == ["W0001", "E0900"])
        #expect(result.diagnostics.last?.message == "internal error: the generated C does not compile: LLVM: boom")
    }

    @Test func internalErrorsAreE0900() {
        let error = InternalError("code generation failed", "a pipeline with no stages")
        #expect(error.diagnostic.code == .internalError)
        #expect(error.diagnostic.code.rawValue == "E0900")
        #expect(error.diagnostic.severity == .error)
        #expect(error.diagnostic.message == "internal error: code generation failed: a pipeline with no stages")
    }

    // MARK: The manifest

    @Test func theManifestIsItsFieldsThenItsMemorySize() throws {
        let result = compile(Self.noop, emit: .c)
        let manifest = try #require(result.manifest)
        #expect(manifest.encoded() == manifest.encodedWithoutMemoryBytes() + Manifest.encoded(memoryBytes: manifest.memoryBytes))
        // The memory counts the tensors (input's I32[4]: 16 bytes), the blob with a one-byte
        // size field (as runec always has), 16 bytes and the stack, rounded up to 16.
        var provisional = manifest
        provisional.memoryBytes = 0
        #expect(manifest.memoryBytes == align(16 + provisional.encoded().count + 16 + Linker.wasmStackBytes, 16))
    }
}
