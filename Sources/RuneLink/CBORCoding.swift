/// Why bytes are not a CBOR value ``CBOR`` can hold.
public struct CBORDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Where in the input the problem is.
    public var offset: Int
    /// What the problem is, as a phrase.
    public var reason: String
    public var description: String { "CBOR at byte \(offset): \(reason)" }
}

extension CBOR {
    /// How deeply arrays and maps may nest in decoded input: SMP messages are flat, so this only
    /// bounds what a hostile device could make the host do.
    public static let maximumDepth = 16

    /// The encoding of the value: shortest argument forms, map keys in deterministic order
    /// (shorter keys first, then bytewise), as smpclient's `cbor2.dumps(canonical=True)` writes.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    private static func head(_ major: UInt8, _ value: UInt64, into out: inout [UInt8]) {
        let type = major << 5
        switch value {
        case 0..<24: out.append(type | UInt8(value))
        case 24...0xFF: out += [type | 24, UInt8(value)]
        case 0x100...0xFFFF: out += [type | 25, UInt8(value >> 8), UInt8(value & 0xFF)]
        case 0x10000...0xFFFF_FFFF: out.append(type | 26); out += (0..<4).reversed().map { UInt8(value >> (8 * UInt64($0)) & 0xFF) }
        default: out.append(type | 27); out += (0..<8).reversed().map { UInt8(value >> (8 * UInt64($0)) & 0xFF) }
        }
    }

    private func encode(into out: inout [UInt8]) {
        switch self {
        case .unsigned(let value): Self.head(0, value, into: &out)
        case .negative(let value): Self.head(1, value, into: &out)
        case .bytes(let bytes):
            Self.head(2, UInt64(bytes.count), into: &out)
            out += bytes
        case .text(let text):
            Self.head(3, UInt64(text.utf8.count), into: &out)
            out += text.utf8
        case .array(let items):
            Self.head(4, UInt64(items.count), into: &out)
            for item in items { item.encode(into: &out) }
        case .map(let entries):
            Self.head(5, UInt64(entries.count), into: &out)
            let keys = entries.keys.map { Array($0.utf8) }.sorted { $0.count != $1.count ? $0.count < $1.count : $0.lexicographicallyPrecedes($1) }
            for key in keys {
                Self.head(3, UInt64(key.count), into: &out)
                out += key
                entries[String(decoding: key, as: UTF8.self)]!.encode(into: &out)
            }
        case .bool(let value): out.append(value ? 0xF5 : 0xF4)
        case .null: out.append(0xF6)
        }
    }

    /// Decodes exactly one value filling `bytes`. Definite and indefinite lengths are accepted;
    /// tags are read through (their content is the value); floats, undefined and other simple
    /// values, non-text map keys, duplicate keys, invalid UTF-8, nesting deeper than
    /// ``maximumDepth`` and trailing bytes are refused.
    public init<Bytes: Collection>(decoding bytes: Bytes) throws where Bytes.Element == UInt8 {
        var reader = CBORReader(bytes: Array(bytes))
        self = try reader.value(depth: 0)
        if reader.offset != reader.bytes.count { throw reader.error("bytes follow the value") }
    }
}

/// A cursor over input being decoded; every read checks what is left first.
private struct CBORReader {
    let bytes: [UInt8]
    var offset = 0

    func error(_ reason: String) -> CBORDecodingError { CBORDecodingError(offset: offset, reason: reason) }

    mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw error("the input ends inside a value") }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// An item's major type and argument; nil argument for an indefinite length.
    mutating func head() throws -> (major: UInt8, argument: UInt64?, info: UInt8) {
        let initial = try byte()
        let major = initial >> 5, info = initial & 31
        switch info {
        case 0..<24: return (major, UInt64(info), info)
        case 24...27:
            var value: UInt64 = 0
            for _ in 0..<(1 << (info - 24)) { value = value << 8 | UInt64(try byte()) }
            return (major, value, info)
        case 31:
            guard [2, 3, 4, 5, 7].contains(major) else { throw error("an indefinite length on major type \(major)") }
            return (major, nil, info)
        default: throw error("reserved additional information \(info)")
        }
    }

    mutating func take(_ count: UInt64) throws -> [UInt8] {
        guard count <= UInt64(bytes.count - offset) else { throw error("a string runs past the input") }
        defer { offset += Int(count) }
        return Array(bytes[offset..<(offset + Int(count))])
    }

    /// Whether the next byte is the break that ends an indefinite item (consumed if so).
    mutating func atBreak() throws -> Bool {
        guard offset < bytes.count else { throw error("an indefinite item is not closed") }
        if bytes[offset] == 0xFF { offset += 1; return true }
        return false
    }

    mutating func string(major: UInt8, argument: UInt64?) throws -> [UInt8] {
        guard argument == nil else { return try take(argument!) }
        var joined: [UInt8] = []
        while try !atBreak() {
            let chunk = try head()
            guard chunk.major == major, let length = chunk.argument else { throw error("an indefinite string holds a chunk of another kind") }
            joined += try take(length)
        }
        return joined
    }

    mutating func value(depth: Int) throws -> CBOR {
        let start = offset
        let (major, argument, info) = try head()
        switch major {
        case 0: return .unsigned(argument!)
        case 1: return .negative(argument!)
        case 2: return .bytes(try string(major: 2, argument: argument))
        case 3:
            let utf8 = try string(major: 3, argument: argument)
            guard let text = String(validating: utf8, as: UTF8.self) else {
                offset = start
                throw error("a text string is not UTF-8")
            }
            return .text(text)
        case 4, 5:
            guard depth < CBOR.maximumDepth else { throw error("nested deeper than \(CBOR.maximumDepth)") }
            // Every item takes a byte at least: a count larger than what is left is a lie.
            if let argument, argument > UInt64(bytes.count - offset) { throw error("a count larger than the input") }
            var items: [CBOR] = []
            var entries: [String: CBOR] = [:]
            var index: UInt64 = 0
            while true {
                if let argument {
                    if index == argument { break }
                } else if try atBreak() {
                    break
                }
                index += 1
                if major == 4 {
                    items.append(try value(depth: depth + 1))
                    continue
                }
                let keyOffset = offset
                guard case .text(let key) = try value(depth: depth + 1) else {
                    offset = keyOffset
                    throw error("a map key that is not text")
                }
                guard entries[key] == nil else {
                    offset = keyOffset
                    throw error("the key \"\(key)\" appears twice")
                }
                entries[key] = try value(depth: depth + 1)
            }
            return major == 4 ? .array(items) : .map(entries)
        case 6:
            guard depth < CBOR.maximumDepth else { throw error("tags nested deeper than \(CBOR.maximumDepth)") }
            return try value(depth: depth + 1)
        default:
            switch info {
            case 20: return .bool(false)
            case 21: return .bool(true)
            case 22: return .null
            case 31: throw error("a break outside an indefinite item")
            default:
                offset = start
                throw error("a simple value or float SMP does not use")
            }
        }
    }
}
