/// Bounds-checked little- and big-endian reads over untrusted bytes: every read past the end
/// throws instead of trapping.
struct ByteReader {
    let bytes: [UInt8]
    var offset: Int
    /// Names the format in errors: "truncated PNG file".
    let format: String

    init(_ bytes: [UInt8], format: String, offset: Int = 0) {
        self.bytes = bytes
        self.format = format
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    func truncated() -> SensorError { SensorError("truncated \(format) file") }

    mutating func skip(_ count: Int) throws(SensorError) {
        guard count >= 0, count <= remaining else { throw truncated() }
        offset += count
    }

    mutating func readBytes(_ count: Int) throws(SensorError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw truncated() }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func u8() throws(SensorError) -> UInt8 {
        guard remaining >= 1 else { throw truncated() }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16le() throws(SensorError) -> UInt16 {
        let b = try readBytes(2)
        return UInt16(b[b.startIndex]) | UInt16(b[b.startIndex + 1]) << 8
    }

    mutating func u32le() throws(SensorError) -> UInt32 {
        let b = try readBytes(4)
        var value: UInt32 = 0
        for (shift, byte) in b.enumerated() { value |= UInt32(byte) << (8 * UInt32(shift)) }
        return value
    }

    mutating func u32be() throws(SensorError) -> UInt32 {
        let b = try readBytes(4)
        return b.reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func tag() throws(SensorError) -> String {
        String(decoding: try readBytes(4), as: UTF8.self)
    }
}
