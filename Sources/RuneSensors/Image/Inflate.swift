/// DEFLATE (RFC 1951) decompression, and the zlib wrapper (RFC 1950) PNG uses.
///
/// Written for untrusted input: every code and length is validated, the output is capped, and
/// malformed streams throw rather than trap.
enum Inflate {
    /// Decompresses a zlib stream, refusing output past `limit` bytes.
    static func zlib(_ bytes: [UInt8], limit: Int) throws(SensorError) -> [UInt8] {
        guard bytes.count >= 2 else { throw SensorError("truncated compressed data") }
        let cmf = bytes[0], flags = bytes[1]
        guard cmf & 0x0F == 8, (UInt16(cmf) << 8 | UInt16(flags)) % 31 == 0 else {
            throw SensorError("compressed data is not a zlib stream")
        }
        guard flags & 0x20 == 0 else { throw SensorError("compressed data needs a preset dictionary") }
        var inflater = Inflater(bytes, start: 2, limit: limit)
        return try inflater.run()
    }

    /// A canonical Huffman code, decoded by walking code lengths (fast enough for images of
    /// sensor size, and simple to verify).
    struct Huffman {
        /// counts[n]: how many codes have length n.
        var counts = [Int](repeating: 0, count: 16)
        /// Symbols ordered by code.
        var symbols: [Int] = []

        init(lengths: ArraySlice<Int>) throws(SensorError) {
            for length in lengths { counts[length] += 1 }
            counts[0] = 0
            var left = 1
            for length in 1..<16 {
                left = left * 2 - counts[length]
                guard left >= 0 else { throw SensorError("invalid Huffman code in compressed data") }
            }
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, length) in zip(0..., lengths) where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }
    }

    struct Inflater {
        let input: [UInt8]
        var position: Int
        var bitBuffer: UInt32 = 0
        var bitCount = 0
        let limit: Int
        var output: [UInt8] = []

        init(_ input: [UInt8], start: Int, limit: Int) {
            self.input = input
            self.position = start
            self.limit = limit
        }

        mutating func bits(_ count: Int) throws(SensorError) -> Int {
            while bitCount < count {
                guard position < input.count else { throw SensorError("truncated compressed data") }
                bitBuffer |= UInt32(input[position]) << UInt32(bitCount)
                position += 1
                bitCount += 8
            }
            let value = Int(bitBuffer & ((1 << UInt32(count)) - 1))
            bitBuffer >>= UInt32(count)
            bitCount -= count
            return value
        }

        mutating func decode(_ huffman: Huffman) throws(SensorError) -> Int {
            var code = 0, first = 0, index = 0
            for length in 1..<16 {
                code |= try bits(1)
                let count = huffman.counts[length]
                if code - count < first { return huffman.symbols[index + (code - first)] }
                index += count
                first = (first + count) << 1
                code <<= 1
            }
            throw SensorError("invalid code in compressed data")
        }

        mutating func run() throws(SensorError) -> [UInt8] {
            var last = false
            while !last {
                last = try bits(1) == 1
                switch try bits(2) {
                case 0: try stored()
                case 1: try compressed(Inflater.fixedLiterals, Inflater.fixedDistances)
                case 2:
                    let (literals, distances) = try dynamicTables()
                    try compressed(literals, distances)
                default: throw SensorError("invalid block type in compressed data")
                }
            }
            return output
        }

        mutating func stored() throws(SensorError) {
            bitBuffer = 0
            bitCount = 0
            guard position + 4 <= input.count else { throw SensorError("truncated compressed data") }
            let length = Int(input[position]) | Int(input[position + 1]) << 8
            let check = Int(input[position + 2]) | Int(input[position + 3]) << 8
            guard length == ~check & 0xFFFF else { throw SensorError("corrupt stored block in compressed data") }
            position += 4
            guard position + length <= input.count else { throw SensorError("truncated compressed data") }
            guard output.count + length <= limit else { throw SensorError("compressed data expands past the image's size") }
            output.append(contentsOf: input[position..<(position + length)])
            position += length
        }

        static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
        static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
        static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
        static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

        // Force-tries are safe: the fixed code lengths are a valid prefix code.
        static let fixedLiterals = try! Huffman(lengths: ((0..<288).map { $0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8 })[...])
        static let fixedDistances = try! Huffman(lengths: [Int](repeating: 5, count: 30)[...])

        mutating func dynamicTables() throws(SensorError) -> (Huffman, Huffman) {
            let literalCount = try bits(5) + 257
            let distanceCount = try bits(5) + 1
            let codeLengthCount = try bits(4) + 4
            guard literalCount <= 286, distanceCount <= 30 else { throw SensorError("invalid code counts in compressed data") }
            let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
            var codeLengths = [Int](repeating: 0, count: 19)
            for index in 0..<codeLengthCount { codeLengths[order[index]] = try bits(3) }
            let lengthCode = try Huffman(lengths: codeLengths[...])
            var lengths: [Int] = []
            let total = literalCount + distanceCount
            while lengths.count < total {
                let symbol = try decode(lengthCode)
                switch symbol {
                case 0..<16: lengths.append(symbol)
                case 16:
                    guard let previous = lengths.last else { throw SensorError("invalid code lengths in compressed data") }
                    lengths += repeatElement(previous, count: 3 + (try bits(2)))
                case 17: lengths += repeatElement(0, count: 3 + (try bits(3)))
                default: lengths += repeatElement(0, count: 11 + (try bits(7)))
                }
            }
            guard lengths.count == total, lengths[256] != 0 else { throw SensorError("invalid code lengths in compressed data") }
            return (try Huffman(lengths: lengths[0..<literalCount]), try Huffman(lengths: lengths[literalCount...]))
        }

        mutating func compressed(_ literals: Huffman, _ distances: Huffman) throws(SensorError) {
            while true {
                let symbol = try decode(literals)
                if symbol < 256 {
                    guard output.count < limit else { throw SensorError("compressed data expands past the image's size") }
                    output.append(UInt8(symbol))
                } else if symbol == 256 {
                    return
                } else {
                    let index = symbol - 257
                    guard index < Inflater.lengthBase.count else { throw SensorError("invalid length in compressed data") }
                    let length = Inflater.lengthBase[index] + (try bits(Inflater.lengthExtra[index]))
                    let distanceSymbol = try decode(distances)
                    guard distanceSymbol < Inflater.distanceBase.count else { throw SensorError("invalid distance in compressed data") }
                    let distance = Inflater.distanceBase[distanceSymbol] + (try bits(Inflater.distanceExtra[distanceSymbol]))
                    guard distance <= output.count else { throw SensorError("distance too far back in compressed data") }
                    guard output.count + length <= limit else { throw SensorError("compressed data expands past the image's size") }
                    let start = output.count - distance
                    for offset in 0..<length { output.append(output[start + offset]) }
                }
            }
        }
    }
}
