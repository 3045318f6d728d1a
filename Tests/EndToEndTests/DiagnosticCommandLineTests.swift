import Foundation
import RuneTestSupport
import Testing

/// `runec --json` carries everything the text rendering shows; `runec --explain` teaches a code.
@Suite struct DiagnosticCommandLineTests {
    @Test func jsonCarriesLabelsNotesAndHelp() throws {
        let bad = Fixtures.runefile(in: Fixtures.folder("diagnostics", "duplicate-stage"))
        let result = try Executables.run("runec", [bad.path, "--json"])
        #expect(result.status == 1)
        #expect(result.standardError.isEmpty, "with --json, diagnostics go to stdout only")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
        let duplicate = try #require(diagnostics.first { $0["code"] as? String == "E0100" })
        #expect(duplicate["severity"] as? String == "error")
        #expect((duplicate["length"] as? Int ?? 0) >= 1)
        let notes = try #require(duplicate["notes"] as? [[String: Any]])
        #expect(notes.first?["message"] as? String != nil)
        #expect(notes.first?["line"] as? Int != nil)
        let rendered = try Executables.run("runec", [bad.path])
        if let label = duplicate["label"] as? String { #expect(rendered.standardError.contains(label)) }
        if let help = duplicate["help"] as? String { #expect(rendered.standardError.contains("= help: \(help)")) }
    }

    @Test func explainsACode() throws {
        let result = try Executables.run("runec", ["--explain", "e0101"])
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("E0101: unknown stage\n\n"))
        #expect(result.standardOutput.contains("Example of the mistake:"))
        #expect(result.standardOutput.contains("    RUN input serail\n"))
        let unknown = try Executables.run("runec", ["--explain", "E9999"])
        #expect(unknown.status == 64)
        #expect(unknown.standardError.contains("unknown diagnostic code 'E9999'"))
        let nothing = try Executables.run("runec", [])
        #expect(nothing.status == 64)
        #expect(nothing.standardError.contains("Missing expected argument '<runefile>'"))
    }
}
