/// A 32-bit little-endian ELF executable, as lld writes firmware: enough to report flash and RAM
/// use, find symbols, and convert to raw binary or Intel HEX for flashing.
public struct ELFImage: Sendable {
    public struct Section: Sendable, Equatable {
        public var name: String
        public var type: UInt32
        public var flags: UInt32
        public var address: UInt32
        public var offset: UInt32
        public var size: UInt32

        /// Occupies memory at run time.
        public var isAllocated: Bool { flags & 0x2 != 0 }
        public var isWritable: Bool { flags & 0x1 != 0 }
        public var isExecutable: Bool { flags & 0x4 != 0 }
        /// Takes no space in the file (`.bss`).
        public var isNoBits: Bool { type == 8 }
    }

    public struct Segment: Sendable, Equatable {
        public var type: UInt32
        public var offset: UInt32
        public var virtualAddress: UInt32
        public var physicalAddress: UInt32
        public var fileSize: UInt32
        public var memorySize: UInt32
    }

    public let bytes: [UInt8]
    public let entry: UInt32
    public let machine: UInt16
    public let sections: [Section]
    public let segments: [Segment]
    public let symbols: [String: UInt32]

    public struct FormatError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public init(_ bytes: [UInt8]) throws(FormatError) {
        self.bytes = bytes
        guard bytes.count >= 52, bytes[0..<4] == [0x7f, 0x45, 0x4c, 0x46] else {
            throw FormatError(description: "not an ELF file")
        }
        guard bytes[4] == 1, bytes[5] == 1 else { throw FormatError(description: "not a 32-bit little-endian ELF file") }
        func u16(_ offset: Int) throws(FormatError) -> UInt16 {
            guard offset >= 0, offset + 2 <= bytes.count else { throw FormatError(description: "truncated at byte \(offset)") }
            return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
        }
        func u32(_ offset: Int) throws(FormatError) -> UInt32 {
            guard offset >= 0, offset + 4 <= bytes.count else { throw FormatError(description: "truncated at byte \(offset)") }
            return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
        }
        machine = try u16(18)
        entry = try u32(24)
        let programHeaders = Int(try u32(28))
        let sectionHeaders = Int(try u32(32))
        let programHeaderSize = Int(try u16(42))
        let programHeaderCount = Int(try u16(44))
        let sectionHeaderSize = Int(try u16(46))
        let sectionHeaderCount = Int(try u16(48))
        let namesIndex = Int(try u16(50))

        var segments: [Segment] = []
        for index in 0..<programHeaderCount {
            let base = programHeaders + index * programHeaderSize
            segments.append(Segment(type: try u32(base), offset: try u32(base + 4), virtualAddress: try u32(base + 8),
                                    physicalAddress: try u32(base + 12), fileSize: try u32(base + 16),
                                    memorySize: try u32(base + 20)))
        }
        var raw: [(name: UInt32, section: Section, link: UInt32, entrySize: UInt32)] = []
        for index in 0..<sectionHeaderCount {
            let base = sectionHeaders + index * sectionHeaderSize
            let section = Section(name: "", type: try u32(base + 4), flags: try u32(base + 8), address: try u32(base + 12),
                                  offset: try u32(base + 16), size: try u32(base + 20))
            raw.append((try u32(base), section, try u32(base + 24), try u32(base + 36)))
        }
        func string(_ table: Section, _ offset: UInt32) -> String {
            let start = Int(table.offset) + Int(offset)
            guard start < bytes.count, offset < table.size else { return "" }
            var end = start
            while end < bytes.count, end < Int(table.offset + table.size), bytes[end] != 0 { end += 1 }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
        var sections: [Section] = []
        let names = namesIndex < raw.count ? raw[namesIndex].section : nil
        for entry in raw {
            var section = entry.section
            if let names { section.name = string(names, entry.name) }
            sections.append(section)
        }
        var symbols: [String: UInt32] = [:]
        for entry in raw where entry.section.type == 2 && Int(entry.link) < raw.count {
            let table = entry.section
            let stringTable = raw[Int(entry.link)].section
            let size = max(16, Int(entry.entrySize))
            var offset = Int(table.offset)
            while offset + 16 <= Int(table.offset + table.size), offset + 16 <= bytes.count {
                let name = string(stringTable, try u32(offset))
                if !name.isEmpty { symbols[name] = try u32(offset + 4) }
                offset += size
            }
        }
        self.sections = sections
        self.segments = segments
        self.symbols = symbols
    }

    /// Bytes placed in flash: code, read-only data, and the initial values of `.data`.
    public var loadedBytes: Int {
        segments.filter { $0.type == 1 }.reduce(0) { $0 + Int($1.fileSize) }
    }

    /// The image as it is written to flash: every loaded segment at its load (physical) address,
    /// gaps filled with 0xff, starting at the lowest address.
    public func flatBinary() -> (base: UInt32, bytes: [UInt8]) {
        let loads = segments.filter { $0.type == 1 && $0.fileSize > 0 }
        guard let base = loads.map(\.physicalAddress).min() else { return (0, []) }
        let end = loads.map { $0.physicalAddress + $0.fileSize }.max()!
        var image = [UInt8](repeating: 0xff, count: Int(end - base))
        for segment in loads {
            let start = Int(segment.offset)
            let stop = min(bytes.count, start + Int(segment.fileSize))
            guard start < stop else { continue }
            let destination = Int(segment.physicalAddress - base)
            image.replaceSubrange(destination..<destination + (stop - start), with: bytes[start..<stop])
        }
        return (base, image)
    }

    /// Intel HEX: 16 data bytes per record, extended linear address records, start address.
    public func intelHex() -> String {
        let (base, image) = flatBinary()
        var lines: [String] = []
        func record(_ type: UInt8, _ address: UInt16, _ data: [UInt8]) {
            var sum = UInt8(data.count) &+ UInt8(address >> 8) &+ UInt8(address & 0xff) &+ type
            for byte in data { sum = sum &+ byte }
            let checksum = UInt8(0) &- sum
            lines.append(":" + hex(UInt8(data.count)) + hex(UInt8(address >> 8)) + hex(UInt8(address & 0xff)) + hex(type)
                         + data.map(hex).joined() + hex(checksum))
        }
        var upper: UInt32 = .max
        var offset = 0
        while offset < image.count {
            let address = base + UInt32(offset)
            if address >> 16 != upper {
                upper = address >> 16
                record(4, 0, [UInt8(upper >> 8), UInt8(upper & 0xff)])
            }
            let length = min(16, image.count - offset, Int(0x10000 - (address & 0xffff)))
            record(0, UInt16(address & 0xffff), Array(image[offset..<offset + length]))
            offset += length
        }
        record(5, 0, [UInt8(entry >> 24), UInt8(entry >> 16 & 0xff), UInt8(entry >> 8 & 0xff), UInt8(entry & 0xff)])
        record(1, 0, [])
        return lines.joined(separator: "\n") + "\n"
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
    }
}
