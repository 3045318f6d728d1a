import Foundation
import RuneCompiler
import RuneModels
import RuneTestSupport
import Testing

/// `Fixtures/hostile/models/<case>/`: a model with hostile quantization parameters
/// (scripts/make-hostile-models), a Runefile that uses it, and `expected`: the diagnostic code
/// and a fragment of its message.
///
/// Reading the model (`runec model-info`'s report) and compiling the Runefile must both fail
/// with that located diagnostic, quickly; a trap would crash the test process.
@Suite struct HostileModelTests {
    static func expectation(_ folder: URL) throws -> (code: String, fragment: String) {
        let lines = try String(contentsOf: folder.appendingPathComponent("expected"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        return (lines[0], lines[1])
    }

    @Test(arguments: Fixtures.cases("hostile/models"))
    func compilingReportsTheModel(_ name: String) throws {
        let folder = Fixtures.folder("hostile/models", name)
        let (code, fragment) = try Self.expectation(folder)
        let clock = ContinuousClock()
        let start = clock.now
        let result = Compiler().compile(path: folder.appendingPathComponent("Runefile").path)
        #expect(clock.now - start < .seconds(30))
        #expect(!result.succeeded)
        #expect(result.artifact == nil)
        let errors = result.diagnostics.filter { $0.severity == .error }
        #expect(errors.map(\.code.rawValue) == [code], "\(result.renderedDiagnostics())")
        let error = try #require(errors.first)
        #expect(error.message.contains(fragment), "\(error.message)")
        // Located at the model's path in the Runefile.
        let range = try #require(error.range, "the diagnostic has no location")
        #expect(range.start.line == 4)
    }

    @Test(arguments: Fixtures.cases("hostile/models"))
    func modelInfoReportsTheModel(_ name: String) throws {
        let folder = Fixtures.folder("hostile/models", name)
        let (_, fragment) = try Self.expectation(folder)
        let bytes = Array(try Data(contentsOf: folder.appendingPathComponent("model.tflite")))
        // The model reads (the report says it cannot compile) or is refused; it never traps.
        do {
            let report = try ModelReport(bytes: bytes, path: "model.tflite")
            #expect(report.text.contains("cannot compile"), "\(report.text)")
            #expect(report.text.contains(fragment), "\(report.text)")
        } catch {
            #expect("\(error)".contains(fragment), "\(error)")
        }
    }

    @Test func modelInfoCommandExitsWithTheCode() throws {
        let folder = Fixtures.folder("hostile/models", "scale-nan")
        let result = try Executables.run("runec", ["model-info", folder.appendingPathComponent("model.tflite").path])
        #expect(result.status == 1)
        #expect(result.standardError.hasPrefix("error[E0401]: "), "\(result.standardError)")
        #expect(result.standardError.contains("tensor"))
    }

    @Test func everyCaseHasAnExpectation() throws {
        let cases = Fixtures.cases("hostile/models")
        #expect(cases.count >= 10)
        for name in cases {
            let (code, fragment) = try Self.expectation(Fixtures.folder("hostile/models", name))
            #expect(code.hasPrefix("E"))
            #expect(!fragment.isEmpty)
        }
    }
}
