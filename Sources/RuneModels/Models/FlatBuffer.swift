/// Bounds-checked, zero-copy access to a FlatBuffer, the serialization TFLite models use.
///
/// Every offset read from the file is checked against the buffer before it is followed, so a
/// truncated or hostile model produces an error, never an out-of-bounds read. Vectors and
/// strings are views into the caller's bytes.
struct FlatBuffer {
    let bytes: [UInt8]

    struct Failure: Error {
        var offset: Int
        var message: String
    }

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Limits against hostile files that are valid FlatBuffers but absurd models.
    static let maxVectorLength = 1 << 28

    func check(_ position: Int, _ size: Int, _ what: @autoclosure () -> String) throws(Failure) {
        guard position >= 0, size >= 0, position <= bytes.count, size <= bytes.count - position else {
            throw Failure(offset: position, message: "\(what()) at byte \(position) runs past the end of the file (\(bytes.count) bytes)")
        }
    }

    func u8(_ position: Int) throws(Failure) -> UInt8 {
        try check(position, 1, "a byte")
        return bytes[position]
    }

    func u16(_ position: Int) throws(Failure) -> UInt16 {
        try check(position, 2, "a 16-bit value")
        return UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
    }

    func u32(_ position: Int) throws(Failure) -> UInt32 {
        try check(position, 4, "a 32-bit value")
        return UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8
            | UInt32(bytes[position + 2]) << 16 | UInt32(bytes[position + 3]) << 24
    }

    func u64(_ position: Int) throws(Failure) -> UInt64 {
        UInt64(try u32(position)) | UInt64(try u32(position + 4)) << 32
    }

    /// The root table.
    func root() throws(Failure) -> FlatTable {
        try table(at: Int(try u32(0)))
    }

    func table(at position: Int) throws(Failure) -> FlatTable {
        let offset = Int(Int32(bitPattern: try u32(position)))
        let vtable = position - offset
        try check(vtable, 4, "a table's vtable")
        let vtableSize = Int(try u16(vtable))
        guard vtableSize >= 4, vtableSize % 2 == 0 else {
            throw Failure(offset: vtable, message: "a vtable has the invalid size \(vtableSize)")
        }
        try check(vtable, vtableSize, "a vtable")
        let tableSize = Int(try u16(vtable + 2))
        try check(position, max(4, tableSize), "a table")
        return FlatTable(buffer: self, position: position, vtable: vtable, vtableSize: vtableSize, tableSize: tableSize)
    }

    /// Follows the unsigned offset stored at `position`.
    func indirect(_ position: Int) throws(Failure) -> Int {
        let target = position + Int(try u32(position))
        try check(target, 4, "an offset target")
        return target
    }
}

/// A table inside a FlatBuffer.
struct FlatTable {
    let buffer: FlatBuffer
    let position: Int
    let vtable: Int
    let vtableSize: Int
    let tableSize: Int

    /// Where field `id` is stored, or nil when absent (the field has its default value).
    func field(_ id: Int) throws(FlatBuffer.Failure) -> Int? {
        let slot = 4 + 2 * id
        guard slot + 2 <= vtableSize else { return nil }
        let offset = Int(try buffer.u16(vtable + slot))
        guard offset != 0 else { return nil }
        guard offset < tableSize else {
            throw FlatBuffer.Failure(offset: vtable + slot, message: "field \(id) lies outside its table")
        }
        return position + offset
    }

    func bool(_ id: Int, default value: Bool = false) throws(FlatBuffer.Failure) -> Bool {
        guard let at = try field(id) else { return value }
        return try buffer.u8(at) != 0
    }

    func int8(_ id: Int, default value: Int8 = 0) throws(FlatBuffer.Failure) -> Int8 {
        guard let at = try field(id) else { return value }
        return Int8(bitPattern: try buffer.u8(at))
    }

    func uint8(_ id: Int, default value: UInt8 = 0) throws(FlatBuffer.Failure) -> UInt8 {
        guard let at = try field(id) else { return value }
        return try buffer.u8(at)
    }

    func int32(_ id: Int, default value: Int32 = 0) throws(FlatBuffer.Failure) -> Int32 {
        guard let at = try field(id) else { return value }
        return Int32(bitPattern: try buffer.u32(at))
    }

    func uint32(_ id: Int, default value: UInt32 = 0) throws(FlatBuffer.Failure) -> UInt32 {
        guard let at = try field(id) else { return value }
        return try buffer.u32(at)
    }

    func uint64(_ id: Int, default value: UInt64 = 0) throws(FlatBuffer.Failure) -> UInt64 {
        guard let at = try field(id) else { return value }
        return try buffer.u64(at)
    }

    func float(_ id: Int, default value: Float = 0) throws(FlatBuffer.Failure) -> Float {
        guard let at = try field(id) else { return value }
        return Float(bitPattern: try buffer.u32(at))
    }

    func table(_ id: Int) throws(FlatBuffer.Failure) -> FlatTable? {
        guard let at = try field(id) else { return nil }
        return try buffer.table(at: try buffer.indirect(at))
    }

    func vector(_ id: Int, elementSize: Int) throws(FlatBuffer.Failure) -> FlatVector? {
        guard let at = try field(id) else { return nil }
        let start = try buffer.indirect(at)
        let count = Int(try buffer.u32(start))
        guard count <= FlatBuffer.maxVectorLength else {
            throw FlatBuffer.Failure(offset: start, message: "a vector claims \(count) elements")
        }
        try buffer.check(start + 4, count * elementSize, "a vector of \(count) elements")
        return FlatVector(buffer: buffer, start: start + 4, count: count, elementSize: elementSize)
    }

    func string(_ id: Int) throws(FlatBuffer.Failure) -> String? {
        guard let vector = try vector(id, elementSize: 1) else { return nil }
        return String(decoding: buffer.bytes[vector.start..<vector.start + vector.count], as: UTF8.self)
    }

    func int32s(_ id: Int) throws(FlatBuffer.Failure) -> [Int32]? {
        guard let vector = try vector(id, elementSize: 4) else { return nil }
        var values: [Int32] = []
        values.reserveCapacity(vector.count)
        for index in 0..<vector.count { values.append(Int32(bitPattern: try buffer.u32(vector.start + 4 * index))) }
        return values
    }

    func floats(_ id: Int) throws(FlatBuffer.Failure) -> [Float]? {
        guard let vector = try vector(id, elementSize: 4) else { return nil }
        var values: [Float] = []
        values.reserveCapacity(vector.count)
        for index in 0..<vector.count { values.append(Float(bitPattern: try buffer.u32(vector.start + 4 * index))) }
        return values
    }

    func int64s(_ id: Int) throws(FlatBuffer.Failure) -> [Int64]? {
        guard let vector = try vector(id, elementSize: 8) else { return nil }
        var values: [Int64] = []
        values.reserveCapacity(vector.count)
        for index in 0..<vector.count { values.append(Int64(bitPattern: try buffer.u64(vector.start + 8 * index))) }
        return values
    }

    /// The tables of a vector of tables.
    func tables(_ id: Int) throws(FlatBuffer.Failure) -> [FlatTable] {
        guard let vector = try vector(id, elementSize: 4) else { return [] }
        var tables: [FlatTable] = []
        tables.reserveCapacity(vector.count)
        for index in 0..<vector.count {
            let slot = vector.start + 4 * index
            tables.append(try buffer.table(at: try buffer.indirect(slot)))
        }
        return tables
    }

    /// A byte vector as a view into the file.
    func bytes(_ id: Int) throws(FlatBuffer.Failure) -> ArraySlice<UInt8>? {
        guard let vector = try vector(id, elementSize: 1) else { return nil }
        return buffer.bytes[vector.start..<vector.start + vector.count]
    }
}

struct FlatVector {
    let buffer: FlatBuffer
    /// The first element.
    let start: Int
    let count: Int
    let elementSize: Int
}
