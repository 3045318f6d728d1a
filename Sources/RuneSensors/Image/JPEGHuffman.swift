extension JPEGDecoder {
    /// One DHT table: canonical Huffman codes (ITU T.81 annex C) mapping to 8-bit symbols.
    struct HuffmanTable {
        /// Codes of up to this many bits resolve with one lookup; most symbols in real files do.
        static let lookupBits = 9

        /// Indexed by the next `lookupBits` bits: `length << 8 | symbol`, or 0 when the code is
        /// longer (or unused), which sends the decoder to the per-length search.
        var lookup: [UInt16]
        /// For each code length 1...16 (index 0 unused): the largest code of that length, or -1.
        var maxCode: [Int]
        /// For each code length: what to add to a code of that length to index `symbols`.
        var symbolOffset: [Int]
        var symbols: [UInt8]

        /// - Parameters:
        ///   - counts: how many codes have each length 1...16 (the DHT `BITS` list).
        ///   - symbols: the symbols in code order (the DHT `HUFFVAL` list).
        init(counts: [Int], symbols: [UInt8]) throws(SensorError) {
            guard counts.count == 16, counts.reduce(0, +) == symbols.count else {
                throw SensorError("corrupt JPEG: Huffman table sizes disagree")
            }
            let lookupBits = Self.lookupBits
            lookup = [UInt16](repeating: 0, count: 1 << lookupBits)
            maxCode = [Int](repeating: -1, count: 17)
            symbolOffset = [Int](repeating: 0, count: 17)
            self.symbols = symbols
            var code = 0
            var index = 0
            for length in 1...16 {
                let count = counts[length - 1]
                if count > 0 {
                    symbolOffset[length] = index - code
                    for _ in 0..<count {
                        // More codes than a length can hold make the prefix code ambiguous.
                        guard code < 1 << length else { throw SensorError("corrupt JPEG: invalid Huffman table") }
                        if length <= lookupBits {
                            let shift = lookupBits - length
                            let entry = UInt16(length << 8) | UInt16(symbols[index])
                            for slot in (code << shift)..<((code + 1) << shift) { lookup[slot] = entry }
                        }
                        code += 1
                        index += 1
                    }
                    maxCode[length] = code - 1
                }
                code <<= 1
            }
        }
    }

    /// Reads the entropy-coded segment of a scan: undoes byte stuffing (FF 00), stops at the next
    /// marker, and remembers whether the decoder consumed bits past the data it had.
    struct EntropyReader {
        let bytes: [UInt8]
        /// Where the next unread byte is; after the scan, where the marker parser resumes.
        private(set) var position: Int
        /// Unconsumed bits are the low `bitCount` bits, oldest highest.
        private var buffer: UInt64 = 0
        private var bitCount = 0
        /// How many of the unconsumed bits are zeros invented after the data ended.
        private var paddingBits = 0
        private var reachedEnd = false
        /// Set once a block has used invented bits: the data was truncated or corrupt.
        private(set) var overran = false

        init(bytes: [UInt8], position: Int) {
            self.bytes = bytes
            self.position = position
        }

        /// Why the scan cannot go on once it has run out of data.
        var endOfDataError: SensorError {
            position + 1 < bytes.count
                ? SensorError("corrupt JPEG: image data ends early, at a marker")
                : SensorError("truncated JPEG file: image data ends early")
        }

        /// Tops the buffer up to more than 56 bits. Past the end of the data (a marker or the end
        /// of the file) it appends zeros: a decoder may look ahead further than the last code.
        @inline(__always)
        private mutating func refill() {
            while bitCount <= 56 {
                var byte: UInt8 = 0
                if !reachedEnd, position < bytes.count {
                    let current = bytes[position]
                    if current != 0xFF {
                        byte = current
                        position += 1
                    } else if position + 1 < bytes.count, bytes[position + 1] == 0 {
                        byte = 0xFF
                        position += 2
                    } else {
                        reachedEnd = true   // a marker, or fill bytes before one
                    }
                } else {
                    reachedEnd = true
                }
                if reachedEnd { paddingBits += 8 }
                buffer = buffer &<< 8 | UInt64(byte)
                bitCount += 8
            }
        }

        @inline(__always)
        private mutating func consume(_ count: Int) {
            bitCount -= count
            if bitCount < paddingBits {
                overran = true
                paddingBits = bitCount
            }
        }

        /// The next `count` (0...16) bits without consuming them; the caller has refilled.
        @inline(__always)
        private func peek(_ count: Int) -> Int {
            Int(truncatingIfNeeded: (buffer &>> UInt64(bitCount - count)) & ((1 << UInt64(count)) - 1))
        }

        /// The next `count` (0...16) bits as an unsigned number.
        @inline(__always)
        mutating func bits(_ count: Int) -> Int {
            if bitCount < count { refill() }
            let value = peek(count)
            consume(count)
            return value
        }

        /// The next `count` bits as a signed difference (T.81 F.2.2.1 `EXTEND`): the top half of
        /// the range is positive, the bottom half negative.
        @inline(__always)
        mutating func signedBits(_ count: Int) -> Int {
            guard count > 0 else { return 0 }
            let value = bits(count)
            return value < 1 << (count - 1) ? value - (1 << count) + 1 : value
        }

        mutating func decode(_ table: HuffmanTable) throws(SensorError) -> Int {
            if bitCount < 16 { refill() }
            let lookupBits = HuffmanTable.lookupBits
            let entry = table.lookup[peek(lookupBits)]
            if entry != 0 {
                consume(Int(entry >> 8))
                return Int(entry & 0xFF)
            }
            let next16 = peek(16)
            for length in (lookupBits + 1)...16 {
                let code = next16 >> (16 - length)
                if code <= table.maxCode[length] {
                    let index = table.symbolOffset[length] + code
                    guard index >= 0, index < table.symbols.count else { break }
                    consume(length)
                    return Int(table.symbols[index])
                }
            }
            // When the bits examined reach past the data, the data ran out, not the table.
            if bitCount - paddingBits < 16 { throw endOfDataError }
            throw SensorError("corrupt JPEG: invalid Huffman code in image data")
        }

        /// Decodes one 8x8 block (T.81 F.2.2) into `coefficients`, dequantised and in natural
        /// (row-major) order. `coefficients` must be all zeros on entry.
        ///
        /// - Returns: whether any AC coefficient is non-zero, so the IDCT can take its flat path.
        mutating func decodeBlock(
            into coefficients: inout [Float],
            dcTable: HuffmanTable,
            acTable: HuffmanTable,
            quantization: [Float],
            predictor: inout Int
        ) throws(SensorError) -> Bool {
            let category = try decode(dcTable)
            guard category <= 15 else { throw SensorError("corrupt JPEG: DC difference out of range") }
            // Wrapping: a corrupt file may keep adding differences; the value is clamped in the IDCT.
            predictor &+= signedBits(category)
            coefficients[0] = Float(predictor) * quantization[0]
            var hasAC = false
            var k = 1
            while k < 64 {
                let symbol = try decode(acTable)
                let run = symbol >> 4, size = symbol & 15
                if size == 0 {
                    if run != 15 { break }   // end of block
                    k += 16                  // sixteen zeros
                    continue
                }
                k += run
                guard k < 64 else { throw SensorError("corrupt JPEG: AC coefficients run past the block") }
                coefficients[JPEGDecoder.zigzag[k]] = Float(signedBits(size)) * quantization[k]
                hasAC = true
                k += 1
            }
            return hasAC
        }

        /// Moves past the RSTn marker that ends a restart interval; bits left in the buffer are
        /// the encoder's padding of the interval's last byte.
        mutating func restart() throws(SensorError) {
            buffer = 0
            bitCount = 0
            paddingBits = 0
            reachedEnd = false
            while position + 1 < bytes.count {
                guard bytes[position] == 0xFF else {
                    position += 1   // stray data before the marker: nothing can use it
                    continue
                }
                let marker = bytes[position + 1]
                switch marker {
                case 0xFF:
                    position += 1   // fill byte
                case 0x00:
                    position += 2
                case 0xD0...0xD7:
                    position += 2
                    return
                default:
                    let found = String(marker, radix: 16, uppercase: true)
                    throw SensorError("corrupt JPEG: expected a restart marker, found marker FF\(found)")
                }
            }
            throw SensorError("truncated JPEG file: image data ends before a restart marker")
        }
    }

    /// Natural (row-major) index of each coefficient in the order a block stores them: the
    /// zig-zag walk along anti-diagonals, alternating direction (T.81 figure 5).
    static let zigzag: [Int] = {
        var order: [Int] = []
        for diagonal in 0..<15 {
            let rows = max(0, diagonal - 7)...min(diagonal, 7)
            // Even diagonals run up and to the right, odd ones down and to the left.
            let walk = diagonal % 2 == 0 ? Array(rows.reversed()) : Array(rows)
            for row in walk { order.append(row * 8 + diagonal - row) }
        }
        return order
    }()
}
