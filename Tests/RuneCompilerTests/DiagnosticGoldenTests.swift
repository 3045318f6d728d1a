import Foundation
import RuneCompiler
import RuneFrontEnd
import RuneTestSupport
import Testing

/// `Fixtures/diagnostics/<case>/`: a Runefile with mistakes and `expected.stderr`, the rendered
/// diagnostics. A case whose expected output has an error must fail to compile and produce
/// nothing; a case with only warnings must compile.
@Suite struct DiagnosticGoldenTests {
    @Test(arguments: Fixtures.cases("diagnostics"))
    func reportsTheGoldenDiagnostics(_ name: String) throws {
        let folder = Fixtures.folder("diagnostics", name)
        let result = Compiler().compile(path: Fixtures.runefile(in: folder).path)
        let rendered = Fixtures.relativize(result.renderedDiagnostics())
        Fixtures.expect(rendered, matches: folder.appendingPathComponent("expected.stderr"))
        let hasErrors = result.diagnostics.contains { $0.severity == .error }
        #expect(!result.diagnostics.isEmpty, "a diagnostics case must report something")
        #expect(result.succeeded == !hasErrors)
        if hasErrors { #expect(result.artifact == nil) }
    }

    @Test func everyDiagnosticCodeIsUnique() {
        let codes = DiagnosticCode.all.map(\.rawValue)
        #expect(Set(codes).count == codes.count)
    }
}
