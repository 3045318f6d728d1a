/// One SMP message: the 8-byte header (operation, flags, body length, group, sequence, command;
/// big-endian) and a CBOR body.
public struct SMPMessage: Equatable, Sendable {
    /// The operation, the header's low three bits.
    public enum Operation: UInt8, Sendable {
        case read = 0, readResponse = 1, write = 2, writeResponse = 3

        /// The operation a response to this request carries.
        public var response: Operation { self == .read ? .readResponse : .writeResponse }
    }

    /// What the message does: a request (read, write) or a response to one.
    public var operation: Operation
    /// The header version: 0 for SMP version 1, 1 for SMP version 2 (what this client sends).
    public var version: UInt8
    /// Reserved by SMP; 0.
    public var flags: UInt8
    /// The management group (``SMPGroup``).
    public var group: UInt16
    /// Pairs a response with its request: the response carries the request's.
    public var sequence: UInt8
    /// The command within the group.
    public var command: UInt8
    /// The CBOR body, a map.
    public var body: CBOR

    /// The header's size in bytes.
    public static let headerLength = 8

    /// A message with these header fields and body.
    public init(operation: Operation, version: UInt8 = 1, flags: UInt8 = 0, group: UInt16, sequence: UInt8, command: UInt8,
                body: CBOR = .map([:])) {
        self.operation = operation
        self.version = version
        self.flags = flags
        self.group = group
        self.sequence = sequence
        self.command = command
        self.body = body
    }

    /// The message's bytes.
    public func encoded() -> [UInt8] {
        let body = self.body.encoded()
        precondition(body.count <= Int(UInt16.max), "an SMP body's length is 16 bits")
        return [(version & 3) << 3 | operation.rawValue, flags, UInt8(body.count >> 8), UInt8(body.count & 0xFF),
                UInt8(group >> 8), UInt8(group & 0xFF), sequence, command] + body
    }

    /// What a message may be refused for.
    public enum DecodingError: Error, Equatable, Sendable {
        /// Fewer bytes than a header.
        case tooShort(Int)
        /// An operation code other than 0-3.
        case unknownOperation(UInt8)
        /// The header's length is not that of the body that follows.
        case lengthMismatch(header: Int, body: Int)
        /// The body is not CBOR this client reads.
        case badBody(CBORDecodingError)
    }

    /// Decodes a whole message (one header and exactly its body).
    public init(decoding bytes: [UInt8]) throws {
        guard bytes.count >= Self.headerLength else { throw DecodingError.tooShort(bytes.count) }
        guard let operation = Operation(rawValue: bytes[0] & 7) else { throw DecodingError.unknownOperation(bytes[0] & 7) }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        guard length == bytes.count - Self.headerLength else {
            throw DecodingError.lengthMismatch(header: length, body: bytes.count - Self.headerLength)
        }
        self.operation = operation
        version = bytes[0] >> 3 & 3
        flags = bytes[1]
        group = UInt16(bytes[4]) << 8 | UInt16(bytes[5])
        sequence = bytes[6]
        command = bytes[7]
        do {
            body = length == 0 ? .map([:]) : try CBOR(decoding: bytes[Self.headerLength...])
        } catch let error as CBORDecodingError {
            throw DecodingError.badBody(error)
        }
    }
}

/// SMP group and command numbers this client uses.
public enum SMPGroup {
    /// OS management: echo (0), reset (5), MCUmgr parameters (6).
    public static let os: UInt16 = 0
    /// Image management: state (0), upload (1).
    public static let image: UInt16 = 1
    /// RunicOS's own group (user groups start at 64): the running rune.
    public static let rune: UInt16 = 64
}
