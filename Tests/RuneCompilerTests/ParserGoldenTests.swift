import Foundation
import RuneCompiler
import RuneFrontEnd
import RuneTestSupport
import Testing

/// `Fixtures/parser/<case>/`: a Runefile or Runefile.yml and `expected.syntax`, the parse tree
/// with source positions.
@Suite struct ParserGoldenTests {
    @Test(arguments: Fixtures.cases("parser"))
    func parsesToTheGoldenTree(_ name: String) throws {
        let folder = Fixtures.folder("parser", name)
        let runefile = Fixtures.runefile(in: folder)
        let file = SourceFile(path: runefile.path, text: try String(contentsOf: runefile, encoding: .utf8))
        let diagnostics = DiagnosticEngine()
        let syntax = Compiler().parse(file, diagnostics: diagnostics)
        #expect(diagnostics.diagnostics.isEmpty, "\(DiagnosticRenderer(sources: [file]).render(diagnostics.diagnostics))")
        Fixtures.expect(SyntaxPrinter().print(syntax), matches: folder.appendingPathComponent("expected.syntax"))
    }
}
