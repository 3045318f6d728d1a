import Foundation
import RuneCompiler
import RuneTestSupport
import Testing

/// `Fixtures/models/<case>/expected.c`: the C that `runec --emit c` generates for a model, so a
/// change to lowering, planning or kernel calls shows up as a reviewable diff.
@Suite struct GeneratedCGoldenTests {
    static var cases: [String] {
        let withGolden = Fixtures.cases("models").filter {
            FileManager.default.fileExists(atPath: Fixtures.root.appendingPathComponent("models/\($0)/expected.c").path)
        }
        return withGolden.isEmpty ? ["<no Fixtures/models case has expected.c>"] : withGolden
    }

    @Test(arguments: cases)
    func generatesTheGoldenC(_ name: String) throws {
        let folder = Fixtures.folder("models", name)
        let result = Compiler().compile(path: folder.appendingPathComponent("Runefile").path, options: CompilerOptions(emit: .c))
        try #require(result.succeeded, "\(result.renderedDiagnostics())")
        let c = String(decoding: try #require(result.artifact), as: UTF8.self)
        Fixtures.expect(Fixtures.relativize(c), matches: folder.appendingPathComponent("expected.c"))
    }
}
