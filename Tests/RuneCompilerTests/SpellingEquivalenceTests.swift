import Foundation
import RuneCompiler
import RuneTestSupport
import Testing

/// The original Rune examples come as a typed `Runefile` and a `Runefile.yml`; both spellings
/// must lower to the same pipeline IR.
@Suite struct SpellingEquivalenceTests {
    func ir(_ path: URL) throws -> String {
        let result = Compiler().compile(path: path.path, options: CompilerOptions(emit: .ir))
        try #require(result.succeeded, "\(path.lastPathComponent):\n\(result.renderedDiagnostics())")
        return String(decoding: result.artifact ?? [], as: UTF8.self)
    }

    @Test(arguments: ["noop", "microspeech", "gesture", "person_detection"])
    func bothSpellingsLowerToTheSameIR(_ example: String) throws {
        let folder = Fixtures.folder("hotg", example)
        let typed = try ir(folder.appendingPathComponent("Runefile"))
        let yaml = try ir(folder.appendingPathComponent("Runefile.yml"))
        #expect(typed == yaml)
    }

    /// The sine example's two spellings really differ: the typed Runefile reads a RAND
    /// capability, the YAML a RAW one of 4 bytes. Everything after the capability is the same.
    @Test func sineSpellingsDifferOnlyInTheirCapability() throws {
        let folder = Fixtures.folder("hotg", "sine")
        let typed = try ir(folder.appendingPathComponent("Runefile")).split(separator: "\n")
        let yaml = try ir(folder.appendingPathComponent("Runefile.yml")).split(separator: "\n")
        #expect(typed.count == yaml.count)
        let differing = zip(typed, yaml).filter { $0 != $1 }
        #expect(differing.count == 1)
        #expect(differing.first?.0.contains("capability RAND") == true)
        #expect(differing.first?.1.contains("capability RAW {length=4") == true)
    }
}
