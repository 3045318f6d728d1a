import Foundation
import RuneLink

/// Seeded hostile input for an SMP server: every kind of broken frame the serial framing can
/// carry, and well-framed messages with random headers and bodies.
struct HostileFrames {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// splitmix64: reproducible across platforms.
    mutating func random() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(random() % UInt64(bound)) }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: random()) } }

    /// A message with a random header (group, command, operation, length) and a body that is
    /// random bytes or a CBOR map of random fields the agent's commands read.
    mutating func message() -> [UInt8] {
        let keys = ["off", "data", "len", "sha", "image", "index", "d", "upgrade", "rc"]
        var body: [UInt8]
        if below(2) == 0 {
            body = bytes(below(64))
        } else {
            var fields: [String: CBOR] = [:]
            for _ in 0..<below(5) {
                let key = keys[below(keys.count)]
                switch below(4) {
                case 0: fields[key] = .unsigned(random() % (below(2) == 0 ? 100_000 : UInt64.max))
                case 1: fields[key] = .bytes(bytes(below(300)))
                case 2: fields[key] = .text(String(repeating: "x", count: below(40)))
                default: fields[key] = .bool(below(2) == 0)
                }
            }
            body = CBOR.map(fields).encoded()
        }
        let groups: [UInt16] = [0, 1, 64, 2, 9, 65535]
        let group = below(8) == 0 ? UInt16(truncatingIfNeeded: random()) : groups[below(groups.count)]
        let length = below(8) == 0 ? below(65536) : body.count
        return [UInt8(below(8)) | UInt8(below(4)) << 3, 0, UInt8(length >> 8), UInt8(length & 0xFF),
                UInt8(group >> 8), UInt8(group & 0xFF), UInt8(below(256)), UInt8(below(8))] + body
    }

    /// One hostile chunk of wire bytes.
    mutating func next() -> [UInt8] {
        switch below(8) {
        case 0: return bytes(below(200))                                  // noise
        case 1:                                                          // a bad CRC
            var frame = SMPSerialFrame.encode(message())
            let at = 2 + below(max(1, frame.count - 4))
            frame[at] = frame[at] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            return frame
        case 2:                                                          // truncated: cut, then a new frame
            let frame = SMPSerialFrame.encode(message())
            return Array(frame.prefix(below(frame.count)))
        case 3:                                                          // a length far past any buffer
            let packet: [UInt8] = [0xFF, 0xFF] + bytes(below(64))
            return [0x06, 0x09] + Array(Data(packet).base64EncodedString().utf8) + [0x0A]
        case 4:                                                          // a line that never ends
            return [0x06, 0x09] + [UInt8](repeating: UInt8(ascii: "Q"), count: 1000 + below(40_000))
        case 5:                                                          // continuation lines without a start
            return [0x04, 0x14] + Array(Data(bytes(30)).base64EncodedString().utf8) + [0x0A]
        default:                                                         // well framed, random content
            return SMPSerialFrame.encode(message())
        }
    }
}
