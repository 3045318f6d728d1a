import Foundation
import RuneLink
import Testing

/// The server side of SMP (what `rune agent` speaks), in process: answers, refusals, and
/// seeded hostile input that never crashes it and never stops it answering.
struct SMPServerTests {
    /// An echo server (OS group, command 0) whose command 1 answers more than its buffer holds.
    static func server() -> SMPServer {
        SMPServer(packetBytes: 512) { message in
            if message.group == SMPGroup.os, message.command == 1 { return .body(["big": .bytes([UInt8](repeating: 0, count: 600))]) }
            guard message.group == SMPGroup.os, message.command == 0 else { return .refused(8, "unknown group or command") }
            guard let text = message.body["d"]?.textValue else { return .refused(3, "echo needs \"d\"") }
            return .body(["r": .text(text)])
        }
    }

    /// The messages in `wire`, decoded.
    static func responses(_ wire: [UInt8]) throws -> [SMPMessage] {
        var decoder = SMPSerialFrame.Decoder()
        var messages: [SMPMessage] = []
        for byte in wire {
            if case .message(let bytes) = decoder.feed(byte) { messages.append(try SMPMessage(decoding: bytes)) }
        }
        return messages
    }

    static func request(group: UInt16 = SMPGroup.os, command: UInt8 = 0, sequence: UInt8 = 7, body: CBOR) -> [UInt8] {
        SMPSerialFrame.encode(SMPMessage(operation: .write, group: group, sequence: sequence, command: command, body: body).encoded())
    }

    @Test func answersRefusesAndIgnoresWhatItShould() throws {
        let server = Self.server()
        let echoed = try Self.responses(server.receive(Self.request(body: .map(["d": .text("hi")]))))
        #expect(echoed.count == 1 && echoed[0].operation == .writeResponse && echoed[0].sequence == 7 && echoed[0].body["r"] == .text("hi"))

        let unknown = try Self.responses(server.receive(Self.request(group: 9, body: .map([:]))))
        #expect(unknown.first?.body["rc"] == .unsigned(8) && unknown.first?.group == 9)

        // A response is not answered (two servers must not talk forever); nor is a bad CRC.
        let response = SMPMessage(operation: .writeResponse, group: 0, sequence: 1, command: 0, body: .map([:]))
        #expect(server.receive(SMPSerialFrame.encode(response.encoded())).isEmpty)
        var corrupted = Self.request(body: .map(["d": .text("x")]))
        corrupted[4] = corrupted[4] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(server.receive(corrupted).isEmpty)
        #expect(server.refusedFrames == 1)

        // A body that is not a map, and a response too large for the buffer, are refused in words.
        let notMap = try Self.responses(server.receive(Self.request(body: .array([]))))
        #expect(notMap.first?.body["rc"] == .unsigned(3))
        let big = try Self.responses(server.receive(Self.request(command: 1, body: .map([:]))))
        #expect(big.first?.body["rc"] == .unsigned(UInt64(SMPServer.messageTooLarge)), "\(big)")
        // A packet larger than the buffer is dropped, and the next request answered.
        #expect(try Self.responses(server.receive(Self.request(body: .map(["d": .text(String(repeating: "z", count: 600))])))).isEmpty)
        #expect(try Self.responses(server.receive(Self.request(body: .map(["d": .text("after")])))).first?.body["r"] == .text("after"))
    }

    @Test func seededMutationsNeverCrashItAndItKeepsAnswering() throws {
        let server = Self.server()
        var state: UInt64 = 0xC0FFEE
        func random() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let good = Self.request(body: .map(["d": .text("a request to mutate")]))
        for _ in 0..<20_000 {
            var frame = good
            for _ in 0..<(1 + random() % 4) {
                let at = Int(random() % UInt64(frame.count))
                switch random() % 3 {
                case 0: frame[at] = UInt8(truncatingIfNeeded: random())
                case 1: frame.remove(at: at)
                default: frame.insert(UInt8(truncatingIfNeeded: random()), at: at)
                }
            }
            _ = server.receive(frame)
        }
        // A newline ends whatever half-frame is left; then it answers as before.
        _ = server.receive([0x0A])
        let answer = try Self.responses(server.receive(Self.request(sequence: 99, body: .map(["d": .text("ok")]))))
        #expect(answer.last?.body["r"] == .text("ok") && answer.last?.sequence == 99)
        #expect(server.refusedFrames > 1000)
    }
}
