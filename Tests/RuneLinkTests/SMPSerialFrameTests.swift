@testable import RuneLink
import Testing

@Suite struct SMPSerialFrameTests {
    /// Decodes everything `bytes` holds.
    static func decode(_ bytes: [UInt8], maximumPacketLength: Int = 65_537) -> [SMPSerialFrame.Event] {
        var decoder = SMPSerialFrame.Decoder(maximumPacketLength: maximumPacketLength)
        return bytes.compactMap { decoder.feed($0) }
    }

    static func messages(_ events: [SMPSerialFrame.Event]) -> [[UInt8]] {
        events.compactMap { if case .message(let bytes) = $0 { return bytes } else { return nil } }
    }

    static func refusals(_ events: [SMPSerialFrame.Event]) -> [SMPSerialFrame.DecodingError] {
        events.compactMap { if case .refused(let error) = $0 { return error } else { return nil } }
    }

    @Test func crcCheckValue() {
        #expect(CRC16.xmodem(Array("123456789".utf8)) == 0x31C3)
    }

    @Test(arguments: [0, 1, 2, 3, 8, 88, 89, 90, 91, 300, 2044, 5000])
    func roundTrip(size: Int) throws {
        var generator = SplitMix(seed: UInt64(size))
        let message = (0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let wire = SMPSerialFrame.encode(message)
        let lines = wire.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
        #expect(lines.allSatisfy { $0.count + 1 <= SMPSerialFrame.maximumLineLength })
        #expect(Array(lines.first ?? []).prefix(2) == [0x06, 0x09])
        #expect(lines.dropFirst().allSatisfy { Array($0.prefix(2)) == [0x04, 0x14] })
        #expect(Self.messages(Self.decode(wire)) == [message])
    }

    /// A frame worked out independently (Python's base64 and a bitwise CRC-16/XMODEM, as the
    /// `smp` package computes it with crcmod) for a write of group 0, command 0, body {"d": "x"}.
    @Test func knownFrame() {
        let message: [UInt8] = [0x02, 0x00, 0x00, 0x05, 0x00, 0x00, 0x01, 0x00, 0xA1, 0x61, 0x64, 0x61, 0x78]
        let expected = [0x06, 0x09] + Array("AA8CAAAFAAABAKFhZGF436s=".utf8) + [0x0A]
        #expect(SMPSerialFrame.encode(message) == expected)
        #expect(Self.messages(Self.decode(expected)) == [message])
    }

    @Test func consoleTextIsSkippedAndReported() {
        let message = Array(repeating: UInt8(0x42), count: 400)
        var wire = Array("boot banner\r\n".utf8)
        let lines = SMPSerialFrame.encode(message).split(separator: 0x0A)
        #expect(lines.count == 5) // 404 packet bytes, 93 to a line
        for line in lines {
            wire += Array(line) + [0x0A] + Array("log: between lines\n".utf8)
        }
        let events = Self.decode(wire)
        #expect(Self.messages(events) == [message])
        let console = events.compactMap { if case .console(let line) = $0 { return String(decoding: line, as: UTF8.self) } else { return nil } }
        #expect(console.first == "boot banner")
        #expect(console.filter { $0 == "log: between lines" }.count == lines.count)
    }

    @Test func malformedFramesAreRefusedAndTheNextOneDecodes() throws {
        let message = Array(0..<200).map { UInt8($0) }
        let good = SMPSerialFrame.encode(message)
        var badCharacter = good
        badCharacter[10] = UInt8(ascii: "!")
        var badCRC = good
        badCRC[40] = badCRC[40] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let truncated = Array(good.prefix(150))
        let cases: [([UInt8], SMPSerialFrame.DecodingError)] = [
            (badCharacter, .badBase64), (badCRC, .badCRC), (truncated, .truncated),
            (Array(good.prefix(7)) + [0x0A], .badBase64),
        ]
        for (bad, expected) in cases {
            let events = Self.decode(bad + good)
            #expect(Self.refusals(events) == [expected])
            #expect(Self.messages(events) == [message])
        }
        // A length larger than the decoder takes.
        let big = SMPSerialFrame.encode(Array(repeating: 1, count: 600))
        let events = Self.decode(big + good, maximumPacketLength: 512)
        #expect(Self.refusals(events) == [.oversized(604)])
        #expect(Self.messages(events) == [message])
    }

    @Test func lengthDisagreeingWithTheDataIsRefused() {
        // The prefix announces 4 bytes of message and the CRC, but 8 follow.
        let packet: [UInt8] = [0x00, 0x06] + Array("abcdefgh".utf8)
        let line = [0x06, 0x09] + Array(Data(packet).base64EncodedString().utf8) + [0x0A]
        #expect(Self.refusals(Self.decode(line)) == [.badLength])
    }

    @Test func seededMutationsNeverCrashAndRecover() {
        var generator = SplitMix(seed: 42)
        let message = Array(0..<300).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let good = SMPSerialFrame.encode(message)
        var decoder = SMPSerialFrame.Decoder(maximumPacketLength: 2048)
        for _ in 0..<3000 {
            var bytes = good
            for _ in 0..<(1 + Int(generator.next() % 4)) where !bytes.isEmpty {
                let at = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[at] ^= UInt8(1 << (generator.next() % 8))
                case 1: bytes.remove(at: at)
                default: bytes = Array(bytes.prefix(at))
                }
            }
            for byte in bytes { _ = decoder.feed(byte) }
        }
        var events: [SMPSerialFrame.Event] = []
        for byte in [0x0A] + good { if let event = decoder.feed(byte) { events.append(event) } }
        #expect(Self.messages(events) == [message])
    }
}

import Foundation

/// SplitMix64: the tests' seeded generator.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
