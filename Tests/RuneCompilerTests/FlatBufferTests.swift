@testable import RuneCompiler
@testable import RuneModels
import Testing

/// The FlatBuffer reader under TFLite models: fields, defaults, and errors, never an
/// out-of-bounds read, for any bytes.
@Suite struct FlatBufferTests {
    /// A root table with field 0 an int32 (-7) and field 1 a string ("abc"):
    /// root offset | vtable (size 8, table size 12, field offsets 4 and 8) | table | string.
    static let sample: [UInt8] = [
        12, 0, 0, 0,                 // root table at 12
        8, 0, 12, 0, 4, 0, 8, 0,     // vtable: 8 bytes, table of 12 bytes, fields at +4 and +8
        8, 0, 0, 0,                  // table: its vtable is 8 bytes before it
        0xF9, 0xFF, 0xFF, 0xFF,      // field 0: -7
        4, 0, 0, 0,                  // field 1: the string 4 bytes further on
        3, 0, 0, 0, 0x61, 0x62, 0x63, 0, // "abc"
    ]

    @Test func readsFieldsAndDefaults() throws {
        let root = try FlatBuffer(Self.sample).root()
        #expect(try root.int32(0) == -7)
        #expect(try root.string(1) == "abc")
        #expect(try root.int32(2, default: 42) == 42, "a field past the vtable has its default")
        #expect(try root.string(5) == nil)
        #expect(try root.tables(6).isEmpty)
    }

    @Test func everyTruncationReadsTheSameOrFails() {
        for length in 0..<Self.sample.count {
            let bytes = Array(Self.sample.prefix(length))
            do {
                let root = try FlatBuffer(bytes).root()
                #expect(try root.int32(0) == -7)
                #expect(try root.string(1) == "abc")
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
    }

    @Test func refusesMalformedVTablesAndFields() {
        var oddVTable = Self.sample
        oddVTable[4] = 7
        #expect { try FlatBuffer(oddVTable).root() } throws: { ($0 as? FlatBuffer.Failure)?.message.contains("invalid size 7") == true }

        var fieldOutside = Self.sample
        fieldOutside[8] = 12  // field 0 at offset 12 of a 12-byte table
        #expect { try FlatBuffer(fieldOutside).root().int32(0) } throws: {
            ($0 as? FlatBuffer.Failure)?.message.contains("lies outside its table") == true
        }

        var hugeVector = Self.sample
        hugeVector.replaceSubrange(24..<28, with: [0x01, 0x00, 0x00, 0x10])  // 2^28 + 1 elements
        #expect { try FlatBuffer(hugeVector).root().string(1) } throws: {
            ($0 as? FlatBuffer.Failure)?.message.contains("claims") == true
        }

        var longVector = Self.sample
        longVector[24] = 200
        #expect { try FlatBuffer(longVector).root().string(1) } throws: {
            ($0 as? FlatBuffer.Failure)?.message.contains("runs past the end") == true
        }

        var negativeRoot = Self.sample
        negativeRoot.replaceSubrange(12..<16, with: [0x00, 0x00, 0x00, 0x80])  // vtable at 12 + 2^31
        #expect(throws: FlatBuffer.Failure.self) { try FlatBuffer(negativeRoot).root() }
    }

    /// Random bit flips and byte changes: every read returns a value or throws, and never
    /// reads out of bounds (which would trap the test process).
    @Test func survivesMutations() {
        var state: UInt64 = 0xF1A7
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        var failures = 0
        for _ in 0..<20_000 {
            var bytes = Self.sample
            for _ in 0..<(1 + Int(next() % 3)) {
                bytes[Int(next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: next())
            }
            do {
                let root = try FlatBuffer(bytes).root()
                _ = try root.int32(0)
                _ = try root.string(1)
                _ = try root.int32s(1)
                _ = try root.tables(1)
                _ = try root.table(0)
            } catch {
                failures += 1
            }
        }
        #expect(failures > 1000, "mutations should break most samples; only \(failures) failed")
    }
}
