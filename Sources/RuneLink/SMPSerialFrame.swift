import Foundation

/// The MCUmgr SMP serial ("console") framing: an SMP message wrapped as
/// `[length u16 BE][message][CRC-16/XMODEM u16 BE]` (the length counts the message and the CRC),
/// base64-encoded and cut into lines. The first line starts with `06 09`, every other with
/// `04 14`; each ends in a newline. Console text may share the line and is skipped.
public enum SMPSerialFrame {
    /// The longest line the encoder writes, delimiter and newline included, as Zephyr writes them.
    public static let maximumLineLength = 127

    /// The frame of `message`, as the lines of bytes to put on the wire. Each line holds whole
    /// base64 quanta, so it also decodes by itself (as some decoders require).
    public static func encode(_ message: [UInt8], lineLength: Int = maximumLineLength) -> [UInt8] {
        precondition(lineLength >= 7, "a line must hold a delimiter, one base64 quantum and a newline")
        precondition(message.count <= Int(UInt16.max) - 2, "an SMP serial packet's length is 16 bits")
        let crc = CRC16.xmodem(message)
        let total = message.count + 2
        let packet = [UInt8(total >> 8), UInt8(total & 0xFF)] + message + [UInt8(crc >> 8), UInt8(crc & 0xFF)]
        let bytesPerLine = (lineLength - 3) / 4 * 3
        var wire: [UInt8] = []
        var start = 0
        while start < packet.count {
            let end = min(start + bytesPerLine, packet.count)
            wire += start == 0 ? [0x06, 0x09] : [0x04, 0x14]
            wire += Array(Data(packet[start..<end]).base64EncodedString().utf8)
            wire.append(0x0A)
            start = end
        }
        return wire
    }

    /// What a frame on the wire may be refused for.
    public enum DecodingError: Error, Equatable, Sendable {
        /// A character that is not base64, misplaced padding, or a line of partial quanta.
        case badBase64
        /// The announced length is larger than the decoder accepts.
        case oversized(Int)
        /// More bytes than the length announced, or a length with no room for the CRC.
        case badLength
        /// The CRC does not match the message.
        case badCRC
        /// A new frame started before this one was whole.
        case truncated
    }

    /// What feeding a byte to a ``Decoder`` produced.
    public enum Event: Equatable, Sendable {
        /// A whole SMP message with a good CRC.
        case message([UInt8])
        /// A frame was refused; the decoder already looks for the next one.
        case refused(DecodingError)
        /// A line of console text (without its newline) that was not part of a frame.
        case console([UInt8])
    }

    /// Decodes frames from a byte stream that also carries console text, one byte at a time. It
    /// holds at most `maximumPacketLength` decoded bytes, so a hostile stream costs bounded memory.
    public struct Decoder: Sendable {
        /// The largest packet (length, message and CRC) accepted.
        public let maximumPacketLength: Int
        private var inFrame = false       // a frame's first line is in, its last not yet
        private var lineStartsFrame = false // the current line holds a frame start
        private var line: [UInt8] = []
        private var packet: [UInt8] = []
        private var expected: Int?

        /// A decoder accepting packets of up to `maximumPacketLength` bytes (65537: any).
        public init(maximumPacketLength: Int = 65_537) {
            self.maximumPacketLength = maximumPacketLength
        }

        /// Feeds `byte`; returns what it completed, if anything.
        public mutating func feed(_ byte: UInt8) -> Event? {
            if byte != 0x0A {
                line.append(byte)
                if line.count >= 2, line[line.count - 2] == 0x06, byte == 0x09 {
                    // A second frame start before the first frame was whole: the sender gave up on it.
                    let abandoned = inFrame || lineStartsFrame
                    restart()
                    line = [0x06, 0x09]
                    lineStartsFrame = true
                    if abandoned { return .refused(.truncated) }
                }
                // Bound a line that never ends (console or garbage).
                if line.count > maximumPacketLength * 2 + 16 {
                    let wasFrame = inFrame || lineStartsFrame
                    restart()
                    return wasFrame ? .refused(.oversized(maximumPacketLength * 2)) : nil
                }
                return nil
            }
            defer {
                line.removeAll(keepingCapacity: true)
                lineStartsFrame = false
            }
            let text = line.last == 0x0D ? Array(line.dropLast()) : line
            if lineStartsFrame, let start = Self.delimiter(0x06, 0x09, in: text) {
                inFrame = true
                packet.removeAll(keepingCapacity: true)
                expected = nil
                return appendLine(Array(text[(start + 2)...]))
            }
            if inFrame, let start = Self.delimiter(0x04, 0x14, in: text) {
                return appendLine(Array(text[(start + 2)...]))
            }
            // Console text, also between the lines of a frame.
            return .console(text)
        }

        /// Where the first `first second` pair of a line is.
        private static func delimiter(_ first: UInt8, _ second: UInt8, in line: [UInt8]) -> Int? {
            guard line.count >= 2 else { return nil }
            return (0..<(line.count - 1)).first { line[$0] == first && line[$0 + 1] == second }
        }

        private mutating func restart() {
            inFrame = false
            lineStartsFrame = false
            packet.removeAll(keepingCapacity: true)
            expected = nil
            line.removeAll(keepingCapacity: true)
        }

        private mutating func fail(_ error: DecodingError) -> Event {
            restart()
            return .refused(error)
        }

        private mutating func appendLine(_ base64: [UInt8]) -> Event? {
            guard base64.count % 4 == 0, let decoded = Data(base64Encoded: Data(base64)) else { return fail(.badBase64) }
            packet += decoded
            if expected == nil, packet.count >= 2 {
                let length = Int(packet[0]) << 8 | Int(packet[1])
                if length < 2 { return fail(.badLength) }
                if length + 2 > maximumPacketLength { return fail(.oversized(length + 2)) }
                expected = length + 2
            }
            if packet.count > maximumPacketLength { return fail(.oversized(packet.count)) }
            guard let expected, packet.count >= expected else { return nil }
            if packet.count > expected { return fail(.badLength) }
            let message = Array(packet[2..<(expected - 2)])
            let crc = UInt16(packet[expected - 2]) << 8 | UInt16(packet[expected - 1])
            restart()
            return CRC16.xmodem(message) == crc ? .message(message) : .refused(.badCRC)
        }
    }
}
