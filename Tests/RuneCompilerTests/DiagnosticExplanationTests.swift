import Foundation
@testable import RuneCompiler
@testable import RuneFrontEnd
import Testing

/// `runec --explain CODE`: every code has an explanation, every example gets its code, and every
/// correction compiles.
@Suite struct DiagnosticExplanationTests {
    /// Compiles an example Runefile in a scratch folder (so relative paths resolve nowhere).
    private func check(_ text: String) -> CompilationResult {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("rune-explain-\(UUID().uuidString)/Runefile").path
        return Compiler().compile(SourceFile(path: path, text: text), options: CompilerOptions(emit: .ir))
    }

    @Test(arguments: DiagnosticCode.all.map(\.rawValue))
    func everyCodeIsExplained(_ name: String) throws {
        let code = try #require(DiagnosticCode.named(name))
        let explanation = try #require(DiagnosticCode.explanations[name], "\(name) has no explanation")
        #expect(explanation.text.count > 60, "\(name) needs a real paragraph")
        #expect(explanation.rendered(for: code).hasPrefix("\(name): \(code.summary)\n\n"))
        if let example = explanation.example {
            let result = check(example)
            #expect(result.diagnostics.contains { $0.code == code },
                    "the example of \(name) gets \(result.diagnostics.map { "\($0.code): \($0.message)" })")
        }
        if let corrected = explanation.corrected {
            let result = check(corrected)
            #expect(result.succeeded, "the correction of \(name) gets \(result.diagnostics.map { "\($0.code): \($0.message)" })")
        }
    }

    @Test func codesAreFoundInAnyCase() {
        #expect(DiagnosticCode.named("e0101") == .unknownStage)
        #expect(DiagnosticCode.named("E9999") == nil)
    }

    @Test func warningsAreInTheWarningRange() throws {
        for code in DiagnosticCode.all {
            #expect(code.rawValue.hasPrefix("E") || code.rawValue.hasPrefix("W"))
        }
        let firstWarning = try #require(DiagnosticCode.all.firstIndex { $0.rawValue.hasPrefix("W") })
        #expect(DiagnosticCode.all[firstWarning...].allSatisfy { $0.rawValue.hasPrefix("W") },
                "warnings come after every error in DiagnosticCode.all")
    }
}
