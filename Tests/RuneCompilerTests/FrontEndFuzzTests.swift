import Foundation
import RuneCompiler
import RuneFrontEnd
import RuneTestSupport
import Testing

/// Runefiles are untrusted text: mutated fixtures must never crash the parser or checker, and
/// every diagnostic must render.
@Suite struct FrontEndFuzzTests {
    static var seeds: [(name: String, text: String)] {
        ["parser", "diagnostics", "runes"].flatMap { area in
            Fixtures.cases(area).compactMap { name -> (String, String)? in
                let url = Fixtures.runefile(in: Fixtures.folder(area, name))
                guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
                return (url.lastPathComponent == "Runefile.yml" ? "Runefile.yml" : "Runefile", text)
            }
        }
    }

    @Test func survivesMutatedRunefiles() {
        let alphabet = Array("<>[](),=-#\\\"'\n\t :./@ abcXYZ019_|{}&*!?".unicodeScalars)
        var state: UInt64 = 0x5eed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let seeds = Self.seeds
        #expect(!seeds.isEmpty)
        var refused = 0
        for iteration in 0..<4000 {
            let seed = seeds[iteration % seeds.count]
            var scalars = Array(seed.text.unicodeScalars)
            for _ in 0..<(1 + Int(next() % 6)) {
                guard !scalars.isEmpty else { break }
                let position = Int(next() % UInt64(scalars.count))
                switch next() % 4 {
                case 0: scalars[position] = alphabet[Int(next() % UInt64(alphabet.count))]
                case 1: scalars.remove(at: position)
                case 2: scalars.insert(alphabet[Int(next() % UInt64(alphabet.count))], at: position)
                default: scalars = Array(scalars.prefix(position))
                }
            }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            // Checked in a folder with no model or block files, so only the front end runs.
            let file = SourceFile(path: "/nonexistent/fuzz/\(seed.name)", text: text)
            let result = Compiler().compile(file, options: CompilerOptions(emit: .ir))
            let rendered = result.renderedDiagnostics()
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            if result.succeeded {
                // Accepted text lowers to IR, and the same text always lowers to the same IR.
                #expect(result.artifact?.isEmpty == false, "iteration \(iteration) produced no IR")
                let again = Compiler().compile(file, options: CompilerOptions(emit: .ir))
                #expect(again.artifact == result.artifact, "iteration \(iteration) is not deterministic")
            } else {
                // Refused text gets at least one error, each with a known code, placed inside the
                // file, and rendered with its code.
                let errors = result.diagnostics.filter { $0.severity == .error }
                #expect(!errors.isEmpty, "iteration \(iteration) failed without an error:\n\(text)")
                for error in errors {
                    #expect(DiagnosticCode.all.contains(error.code), "unknown code \(error.code)")
                    #expect(rendered.contains("error[\(error.code.rawValue)]"))
                    guard let range = error.range else {
                        Issue.record("iteration \(iteration): \(error.code) '\(error.message)' has no location:\n\(text)")
                        continue
                    }
                    #expect(range.start.file == file.path)
                    // Line `lines + 1` is the end of the file, where an unfinished construct is reported.
                    #expect((1...lines + 1).contains(range.start.line), "\(error.code) at line \(range.start.line) of \(lines)")
                    #expect(range.start.column >= 1)
                }
            }
            refused += result.succeeded ? 0 : 1
        }
        // The mutations are strong enough that most texts are refused; if none were, the
        // mutator is broken and the invariants above checked nothing.
        #expect(refused > 1000, "only \(refused) of 4000 mutated Runefiles were refused")
    }
}
