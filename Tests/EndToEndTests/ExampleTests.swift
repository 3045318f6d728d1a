import Foundation
import RuneTestSupport
import Testing

/// The original Rune examples (`Fixtures/hotg/<example>/`), compiled unchanged from both their
/// typed `Runefile` and their `Runefile.yml`, run on real recordings. What each must print comes
/// from `expected.json`, written by `scripts/generate-example-references` with the reference
/// interpreter.
@Suite struct ExampleTests {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        var example: String
        var args: [String]
        var label: String?
        var value: Double?
        var testDescription: String { "\(example) \(args.joined(separator: " "))" }
    }

    /// The cases of `Fixtures/hotg/expected.json`; when it is missing or unreadable, one case that
    /// fails, so the suite cannot pass by running nothing.
    static let cases: [Case] = {
        let url = Fixtures.root.appendingPathComponent("hotg/expected.json")
        guard let data = try? Data(contentsOf: url),
              let table = try? JSONDecoder().decode([String: [Case.Entry]].self, from: data), !table.isEmpty else {
            return [Case(example: "<Fixtures/hotg/expected.json is missing or unreadable>", args: [])]
        }
        return table.keys.sorted().flatMap { example in
            table[example, default: []].map { Case(example: example, args: $0.args, label: $0.label, value: $0.value) }
        }
    }()

    /// Both spellings of one example, compiled once per test process.
    static func runes(_ example: String) throws -> (typed: URL, yaml: URL) {
        let folder = Fixtures.folder("hotg", example)
        return (try BuiltRunes.rune(folder.appendingPathComponent("Runefile")),
                try BuiltRunes.rune(folder.appendingPathComponent("Runefile.yml")))
    }

    /// `"dimensions":[1,1]` -> `"dimensions":[]` in every record.
    static func withoutDimensions(_ output: String) -> String {
        output.replacingOccurrences(of: #""dimensions":\[[0-9,]*\]"#, with: #""dimensions":[]"#, options: .regularExpression)
    }

    @Test(arguments: cases)
    func exampleGivesTheReferenceAnswer(_ testCase: Case) throws {
        let folder = Fixtures.folder("hotg", testCase.example)
        let (typed, yaml) = try ExampleTests.runes(testCase.example)
        // The typed sine example reads RAND where its YAML reads RAW: replay the same bytes into it.
        // A debug build on a busy machine runs person detection for longer than the default
        // timeout: give the examples ten minutes (still no hang).
        let timeout = ["--timeout", "10m"]
        let typedArgs = (testCase.example == "sine" ? ["--raw", "rand=input.bin"] : testCase.args) + timeout
        let typedRun = try Executables.run("rune", ["run", typed.path] + typedArgs, in: folder)
        try #require(typedRun.status == 0, "stderr:\n\(typedRun.standardError)")
        // Byte-identical runes print the same; only runes that differ need running twice.
        if try Data(contentsOf: typed) != Data(contentsOf: yaml) {
            let yamlRun = try Executables.run("rune", ["run", yaml.path] + testCase.args + timeout, in: folder)
            try #require(yamlRun.status == 0, "stderr:\n\(yamlRun.standardError)")
            // Outputs print their shapes as declared, and the spellings may declare equivalent
            // shapes differently (the typed sine says F32, its YAML F32[1, 1]): compare the
            // records without their dimensions.
            #expect(ExampleTests.withoutDimensions(typedRun.standardOutput) == ExampleTests.withoutDimensions(yamlRun.standardOutput),
                    "the two spellings disagree:\n\(typedRun.standardOutput)\(yamlRun.standardOutput)")
        }

        let record = try JSONSerialization.jsonObject(with: Data(typedRun.standardOutput.utf8)) as? [String: Any]
        let tensor = ((record?["serial"] as? [[String: Any]])?.first)?["elements"] as? [Any]
        if let label = testCase.label {
            #expect(tensor?.first as? String == label, "printed \(typedRun.standardOutput)")
        }
        if let value = testCase.value {
            let printed = (tensor?.first as? NSNumber)?.doubleValue ?? .nan
            // Float models agree with the reference within 1e-5 (see Fixtures/models).
            #expect(abs(printed - value) <= 1e-5 * max(1, abs(value)), "printed \(printed), reference \(value)")
        }
    }
}

extension ExampleTests.Case {
    struct Entry: Decodable {
        var args: [String]
        var label: String?
        var value: Double?
    }
}
