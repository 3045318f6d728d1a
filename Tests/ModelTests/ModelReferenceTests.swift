import Foundation
import RuneCompiler
import RuneManifest
import RuneRuntime
import RuneTestSupport
import Testing

/// `Fixtures/models/<case>/`: a model, a Runefile feeding it RAW inputs, and the reference
/// interpreter's outputs for seeded random inputs (scripts/generate-model-references).
///
/// Each case is compiled into a rune and run on the host runtime. Integer outputs must equal
/// the reference exactly. Float outputs may differ by |ours - reference| <= 1e-5 + 1e-5 |reference|:
/// the kernels compute the same operations in float32, but summation order, fused multiply-adds
/// and exp/tanh implementations differ by a few units in the last place per operation.
@Suite struct ModelReferenceTests {
    struct Reference: Decodable {
        struct Tensor: Decodable {
            var type: String
            var shape: [Int]
        }
        var stateful: Bool
        var steps: Int
        var inputs: [Tensor]
        var outputs: [Tensor]
        var reference: String
    }

    /// Yields one recorded input per call.
    final class Recorded: CapabilitySource {
        var readings: [[UInt8]]
        var next = 0
        init(_ readings: [[UInt8]]) { self.readings = readings }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws(RuneError) {
            let reading = readings[min(next, readings.count - 1)]
            next += 1
            guard reading.count == buffer.count else { throw .input("recorded input has \(reading.count) bytes, expected \(buffer.count)") }
            buffer.copyBytes(from: reading)
        }
    }

    static let absoluteTolerance = 1e-5
    static let relativeTolerance = 1e-5

    @Test(arguments: Fixtures.cases("models"))
    func matchesTheReferenceInterpreter(_ name: String) throws {
        let folder = Fixtures.folder("models", name)
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: folder.appendingPathComponent("reference.json")))
        let result = Compiler().compile(path: folder.appendingPathComponent("Runefile").path)
        try #require(result.succeeded, "\(result.renderedDiagnostics())")
        let rune = try Rune(bytes: result.artifact!)

        func read(_ file: String) throws -> [UInt8] { Array(try Data(contentsOf: folder.appendingPathComponent(file))) }
        // Stateless models get a fresh instance per step; stateful ones keep theirs.
        var instance: RuneInstance?
        var sources: [Recorded] = []
        for step in 0..<reference.steps {
            if instance == nil || !reference.stateful {
                sources = try reference.inputs.indices.map { _ in Recorded([]) }
                // Large models in a debug build on a busy machine outlast the default timeout.
                instance = try RuneInstance(rune: rune, sources: sources, limits: RunLimits(timeoutSeconds: 600))
            }
            for (index, source) in sources.enumerated() {
                source.readings.append(try read("input-\(step)-\(index).bin"))
            }
            let records = try instance!.run()
            try #require(records.count == 1)
            let tensors = records[0].tensors
            try #require(tensors.count == reference.outputs.count)
            for (index, tensor) in tensors.enumerated() {
                let expected = OutputTensor(type: tensor.type, littleEndian: try read("expected-\(step)-\(index).bin"))
                compare(tensor.elements, expected.elements, "\(name) step \(step) output \(index)")
            }
        }
    }

    func compare(_ actual: OutputTensor.Elements, _ expected: OutputTensor.Elements, _ context: String) {
        switch (actual, expected) {
        case (.floats(let ours), .floats(let theirs)):
            var worst = 0.0
            for (a, b) in zip(ours, theirs) {
                let difference = abs(Double(a) - Double(b))
                let allowed = Self.absoluteTolerance + Self.relativeTolerance * abs(Double(b))
                if difference > allowed { worst = max(worst, difference) }
            }
            #expect(worst == 0, "\(context): float outputs differ by up to \(worst)")
        default:
            if actual != expected {
                let mismatches = mismatchCount(actual, expected)
                Issue.record("\(context): \(mismatches) integer outputs differ from the reference")
            }
        }
    }

    func mismatchCount(_ a: OutputTensor.Elements, _ b: OutputTensor.Elements) -> Int {
        switch (a, b) {
        case (.integers(let x), .integers(let y)): zip(x, y).filter { $0 != $1 }.count
        case (.unsignedIntegers(let x), .unsignedIntegers(let y)): zip(x, y).filter { $0 != $1 }.count
        default: -1
        }
    }
}
