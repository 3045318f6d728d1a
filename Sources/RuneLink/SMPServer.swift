/// The device side of SMP over the serial framing: bytes from a client go in, the frames that
/// answer them come out. What `rune agent` speaks, as RunicOS's `link/smp_server.c` does on its
/// UART: requests too short to answer and responses are ignored, a frame the decoder refuses
/// (bad base64, bad CRC, truncated, oversized) is dropped without an answer as MCUmgr servers
/// do, and every other request gets exactly one response, `{"rc", "rsn"}` when refused.
///
/// Not thread-safe: one per connection.
public final class SMPServer {
    /// What a command handler answers: a response map, or a refusal with MCUmgr's return code
    /// and the reason in words.
    public enum Reply {
        case body([String: CBOR])
        case refused(Int64, String)
    }

    /// The largest decoded packet (length, message, CRC) it takes: its MCUmgr `buf_size`.
    public let packetBytes: Int
    private var decoder: SMPSerialFrame.Decoder
    private let handle: (SMPMessage) -> Reply
    /// Frames refused by the decoder so far (diagnostics, and what the fuzz test watches).
    public private(set) var refusedFrames = 0

    /// MCUmgr's `MGMT_ERR_EMSGSIZE`: the response does not fit the buffer.
    public static let messageTooLarge: Int64 = 10

    /// A server taking packets of up to `packetBytes`, answering each request with `handle`.
    public init(packetBytes: Int, handle: @escaping (SMPMessage) -> Reply) {
        precondition(packetBytes >= 64 && packetBytes <= 65_537, "an SMP serial packet holds 64 to 65537 bytes")
        self.packetBytes = packetBytes
        decoder = SMPSerialFrame.Decoder(maximumPacketLength: packetBytes)
        self.handle = handle
    }

    /// Feeds `bytes` from the client; returns the response frames to send, in order.
    public func receive(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for byte in bytes {
            switch decoder.feed(byte) {
            case .message(let message): out += respond(to: message)
            case .refused: refusedFrames += 1
            case .console, nil: break
            }
        }
        return out
    }

    /// The frame answering one decoded message, or nothing.
    private func respond(to bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= SMPMessage.headerLength, let operation = SMPMessage.Operation(rawValue: bytes[0] & 7),
              operation == .read || operation == .write else { return [] }
        let version = min(bytes[0] >> 3 & 3, 1)
        let group = UInt16(bytes[4]) << 8 | UInt16(bytes[5])
        let sequence = bytes[6], command = bytes[7]
        var reply: Reply
        do {
            let message = try SMPMessage(decoding: bytes)
            if case .map = message.body {
                reply = handle(message)
            } else {
                reply = .refused(SMPDeviceError.invalidValue, "the request body is not a CBOR map")
            }
        } catch SMPMessage.DecodingError.lengthMismatch {
            reply = .refused(SMPDeviceError.invalidValue, "the header's length disagrees with the message")
        } catch {
            reply = .refused(SMPDeviceError.invalidValue, "malformed CBOR in the request")
        }
        func frame(_ reply: Reply) -> [UInt8]? {
            let body: [String: CBOR]
            switch reply {
            case .body(let map): body = map
            case .refused(let rc, let reason): body = ["rc": .unsigned(UInt64(max(rc, 0))), "rsn": .text(reason)]
            }
            let encoded = SMPMessage(operation: operation.response, version: version, group: group, sequence: sequence,
                                     command: command, body: .map(body)).encoded()
            // The client's buffer is as large as ours: a response must fit it too.
            guard encoded.count + 4 <= packetBytes else { return nil }
            return SMPSerialFrame.encode(encoded)
        }
        if let out = frame(reply) { return out }
        reply = .refused(Self.messageTooLarge, "the response does not fit the buffer")
        return frame(reply) ?? []
    }
}
