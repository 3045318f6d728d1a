@testable import RuneRuntime
import RuneManifest
import Testing

/// The SERIAL line format, which the Cortex-M runtime reproduces byte for byte.
@Suite struct SerialFormatTests {
    @Test(arguments: [
        (Float(3), "3"), (Float(100), "100"), (Float(0.5), "0.5"), (Float(-0.0), "0"), (Float(0.84147096), "0.84147096"),
        (Float(1e-7), "1e-7"), (Float(1e-6), "0.000001"), (Float(1.5e21), "1.5e+21"), (Float(1e21), "1e+21"),
        (Float(123456789), "123456790"), (Float.greatestFiniteMagnitude, "3.4028235e+38"),
        (Float.leastNonzeroMagnitude, "1e-45"), (Float.nan, "null"), (-Float.infinity, "null"), (Float(-2.5), "-2.5"),
    ])
    func formatsFloats(_ value: Float, _ expected: String) {
        #expect(JSONNumber.format(value) == expected)
    }

    @Test(arguments: [
        (0.1, "0.1"), (1e21, "1e+21"), (1e20, "100000000000000000000"), (Double.leastNonzeroMagnitude, "5e-324"), (123.456, "123.456"),
    ])
    func formatsDoubles(_ value: Double, _ expected: String) {
        #expect(JSONNumber.format(value) == expected)
    }

    @Test func escapesStrings() {
        let quoted = JSONString.quote(Array("a\"b\\c\n\u{1}é".utf8))
        #expect(String(decoding: quoted, as: UTF8.self) == "\"a\\\"b\\\\c\\n\\u0001é\"")
    }

    @Test func printsOneRecordPerOutput() {
        let record = SerialRecord(output: "serial", tensors: [
            OutputTensor(type: TensorType(.utf8, [2]), strings: [Array("up".utf8), Array("down".utf8)]),
            OutputTensor(type: TensorType(.i8, [2]), littleEndian: [0xff, 0x7f]),
        ])
        #expect(record.line == #"{"serial":[{"type":"utf8","dimensions":[2],"elements":["up","down"]},{"type":"i8","dimensions":[2],"elements":[-1,127]}]}"#)
    }
}
