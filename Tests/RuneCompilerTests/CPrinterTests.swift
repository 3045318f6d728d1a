import Foundation
@testable import RuneCompiler
@testable import RuneModels
import RuneTestSupport
import Testing

/// The one float encoder and initialiser-list printer every generated C file uses.
@Suite struct CPrinterTests {
    static let floats: [Float] = [
        0, -0.0, 1, -1, 0.1, -0.1, 1.5, 6, 1e7, 9_999_999, 16_777_217, 3.4e38, 1e-30,
        .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, .leastNormalMagnitude.nextDown,
        .greatestFiniteMagnitude, -.greatestFiniteMagnitude, Float(1).nextDown, Float(1).nextUp, .pi, .ulpOfOne,
    ]

    /// Reads a finite literal back the way a C compiler does (Swift parses hexadecimal floats
    /// with the same correctly rounded `strtof`).
    static func parse(_ literal: String) -> Float? {
        guard literal.hasSuffix("f") else { return nil }
        return Float(String(literal.dropLast()))
    }

    @Test(arguments: floats)
    func floatLiteralRoundTripsBitForBit(_ value: Float) throws {
        let literal = CLiteral.float(value)
        let back = try #require(Self.parse(literal), "\(literal) is not a float literal")
        #expect(back.bitPattern == value.bitPattern, "\(literal) reads back as \(back), not \(value)")
    }

    @Test func manyBitPatternsRoundTrip() {
        var state: UInt32 = 0x1234_5678
        for _ in 0..<20_000 {
            state = state &* 1_664_525 &+ 1_013_904_223
            let value = Float(bitPattern: state)
            guard value.isFinite else { continue }
            let literal = CLiteral.float(value)
            #expect(Self.parse(literal)?.bitPattern == value.bitPattern, "\(literal) for bits \(String(state, radix: 16))")
        }
    }

    @Test(arguments: [0, -0.0, 1, -2.5, 0.1, 1e15, 1e300, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.leastNormalMagnitude] as [Double])
    func doubleLiteralRoundTripsBitForBit(_ value: Double) throws {
        let literal = CLiteral.double(value)
        let back = try #require(Double(literal), "\(literal) is not a double literal")
        #expect(back.bitPattern == value.bitPattern, "\(literal) reads back as \(back), not \(value)")
    }

    @Test func signedZeroKeepsItsSign() {
        #expect(CLiteral.float(-0.0) == "-0.0f")
        #expect(CLiteral.float(0) == "0.0f")
        #expect(CLiteral.double(-0.0) == "-0.0")
    }

    @Test func wholeNumbersAndFractionsPrintReadably() {
        #expect(CLiteral.float(6) == "6.0f")
        #expect(CLiteral.float(-128) == "-128.0f")
        #expect(CLiteral.float(0.375) == "0x1.8p-2f")
        #expect(CLiteral.double(1) == "1.0")
    }

    /// Infinities and NaNs have no C literal: they are encoded deliberately, a NaN with its sign,
    /// quiet bit and payload.
    @Test func infinitiesAndNaNsAreEncodedDeliberately() {
        #expect(CLiteral.float(.infinity) == "__builtin_inff()")
        #expect(CLiteral.float(-.infinity) == "(-__builtin_inff())")
        #expect(CLiteral.float(.nan) == "__builtin_nanf(\"0x0\")")
        #expect(CLiteral.float(-.nan) == "(-__builtin_nanf(\"0x0\"))")
        #expect(CLiteral.float(Float(bitPattern: 0x7fc0_0005)) == "__builtin_nanf(\"0x5\")")
        #expect(CLiteral.float(Float(bitPattern: 0x7f80_0001)) == "__builtin_nansf(\"0x1\")")
        #expect(CLiteral.double(.infinity) == "__builtin_inf()")
        #expect(CLiteral.double(Double(bitPattern: 0x7ff8_0000_0000_0003)) == "__builtin_nan(\"0x3\")")
    }

    @Test func initialiserListsWrap() {
        #expect(CLiteral.initializer(["1", "2", "3", "4", "5"], perLine: 2) == "{\n    1, 2,\n    3, 4,\n    5,\n}")
        #expect(CLiteral.initializer(["1", "2"], perLine: 2) == "{\n    1, 2,\n}")
        #expect(CLiteral.initializer(["1", "2", "3"]) == "{1, 2, 3}")
        #expect(CLiteral.initializer([], perLine: 4) == "{0}")
        #expect(CLiteral.initializer([]) == "{0}")
    }

    @Test func arraysHaveAtLeastOneElement() {
        #expect(CLiteral.array("static const int32_t", "x", ["1", "2", "3"], perLine: 2)
                == "static const int32_t x[3] = {\n    1, 2,\n    3,\n};")
        #expect(CLiteral.array("static const uint32_t", "dims", []) == "static const uint32_t dims[1] = {0};")
        #expect(CLiteral.array("static const uint8_t", "b", [0x0f, 0xa0].map(CLiteral.byte), perLine: 16,
                               attributes: "__attribute__((aligned(4)))")
                == "static const uint8_t b[2] __attribute__((aligned(4))) = {\n    0x0f, 0xa0,\n};")
    }

    @Test func int32MinimumIsAConstantExpression() {
        #expect(CLiteral.int32(.min) == "(-2147483647 - 1)")
        #expect(CLiteral.int64(.min) == "(-9223372036854775807ll - 1)")
    }
}

/// The contract between lowering, the arena planner and the C printer: every tensor a kernel
/// call reads or writes has a place, every scratch request is planned, and planned buffers lie
/// inside the arena.
@Suite struct LoweringContractTests {
    static let models = Fixtures.cases("models")

    @Test(arguments: models)
    func everyTensorACallUsesIsPlanned(_ name: String) throws {
        let url = Fixtures.folder("models", name).appendingPathComponent("model.tflite")
        let bytes = try [UInt8](Data(contentsOf: url))
        let checked = try TFLiteModelCompiler().read(bytes, path: "model.tflite")
        let lowered = checked.lowered
        #expect(!lowered.steps.isEmpty)
        for (index, step) in lowered.steps.enumerated() {
            for (tensor, access) in step.call.tensors {
                let storage = try #require(lowered.storage[tensor], "step \(index) (\(step.comment)) uses unplanned tensor \(tensor)")
                if case .arena(let offset) = storage {
                    #expect(offset % 16 == 0)
                    #expect(offset + lowered.model.tensors[tensor].byteCount <= lowered.arenaBytes,
                            "tensor \(tensor) overruns the arena")
                }
                if access != .read {
                    #expect(storage != .constant, "step \(index) writes constant tensor \(tensor)")
                }
            }
            if step.call.scratchBytes > 0 {
                let offset = try #require(lowered.scratchOffsets[index], "step \(index)'s scratch is not planned")
                #expect(offset + step.call.scratchBytes <= lowered.arenaBytes)
            } else {
                #expect(lowered.scratchOffsets[index] == nil)
            }
        }
        // Read once, printed from what was read: the same C as lowering again.
        let code = try TFLiteModelCompiler().compile(checked, symbol: "m")
        let again = ModelCEmitter(lowered: try ModelLowering(model: lowered.model).lower(), symbol: "m").emit()
        #expect(code.definitions == again.definitions)
        #expect(code.arenaBytes == lowered.arenaBytes)
    }

    /// A step's scratch does not overlap any tensor alive during that step.
    @Test(arguments: models)
    func scratchDoesNotOverlapLiveTensors(_ name: String) throws {
        let url = Fixtures.folder("models", name).appendingPathComponent("model.tflite")
        let lowered = try TFLiteModelCompiler().read([UInt8](Data(contentsOf: url)), path: "model.tflite").lowered
        for (index, step) in lowered.steps.enumerated() {
            guard let scratch = lowered.scratchOffsets[index] else { continue }
            for (tensor, _) in step.call.tensors {
                guard case .arena(let offset)? = lowered.storage[tensor] else { continue }
                let size = lowered.model.tensors[tensor].byteCount
                #expect(offset + size <= scratch || scratch + step.call.scratchBytes <= offset,
                        "step \(index)'s scratch overlaps tensor \(tensor)")
            }
        }
    }
}
