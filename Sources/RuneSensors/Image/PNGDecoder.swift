/// Reads PNG files: every colour type (grey, RGB, palette, grey + alpha, RGBA) at every bit depth
/// PNG allows, non-interlaced and Adam7-interlaced. Alpha is dropped (images are composited onto
/// nothing: a sensor sees the colour channels); 16-bit samples keep their high byte.
public enum PNGDecoder {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    public static func isPNG(_ bytes: [UInt8]) -> Bool { bytes.starts(with: signature) }

    public static func decode(_ bytes: [UInt8]) throws(SensorError) -> RasterImage {
        guard isPNG(bytes) else { throw SensorError("not a PNG file") }
        var reader = ByteReader(bytes, format: "PNG", offset: signature.count)
        var header: Header?
        var palette: [UInt8] = []
        var compressed: [UInt8] = []
        chunks: while reader.remaining > 0 {
            let length = Int(try reader.u32be())
            let type = try reader.tag()
            let data = try reader.readBytes(length)
            try reader.skip(4)   // CRC: a damaged file fails on its content instead
            switch type {
            case "IHDR": header = try Header(data)
            case "PLTE": palette = Array(data)
            case "IDAT": compressed += data
            case "IEND": break chunks
            default:
                // An unknown critical chunk changes the meaning of the image.
                if let first = type.utf8.first, first & 0x20 == 0 {
                    throw SensorError("PNG uses the critical chunk '\(type)', which this reader does not know")
                }
            }
        }
        guard let header else { throw SensorError("PNG file has no IHDR chunk") }
        guard !compressed.isEmpty else { throw SensorError("PNG file has no image data") }
        if header.colorType == 3, palette.isEmpty { throw SensorError("palette PNG has no PLTE chunk") }
        let passes = header.interlaced ? Header.adam7 : [(0, 0, 1, 1)]
        let expected = passes.reduce(0) { total, pass in
            let (columns, rows) = header.passSize(pass)
            return total + (columns == 0 ? 0 : rows * (1 + header.rowBytes(columns)))
        }
        let raw = try Inflate.zlib(compressed, limit: expected)
        guard raw.count == expected else { throw SensorError("PNG image data is \(raw.count) bytes, expected \(expected)") }

        var rgb = [UInt8](repeating: 0, count: header.width * header.height * 3)
        var offset = 0
        for pass in passes {
            let (columns, rows) = header.passSize(pass)
            guard columns > 0, rows > 0 else { continue }
            let rowBytes = header.rowBytes(columns)
            var previous = [UInt8](repeating: 0, count: rowBytes)
            for row in 0..<rows {
                let filter = raw[offset]
                var line = Array(raw[(offset + 1)..<(offset + 1 + rowBytes)])
                offset += 1 + rowBytes
                try unfilter(&line, previous: previous, filter: filter, stride: header.bytesPerPixel)
                for column in 0..<columns {
                    let x = pass.0 + column * pass.2, y = pass.1 + row * pass.3
                    let pixel = header.pixel(line, column, palette: palette)
                    let at = (y * header.width + x) * 3
                    rgb[at] = pixel.0
                    rgb[at + 1] = pixel.1
                    rgb[at + 2] = pixel.2
                }
                previous = line
            }
        }
        return RasterImage(width: header.width, height: header.height, rgb: rgb)
    }

    /// Undoes one of PNG's five per-row prediction filters.
    static func unfilter(_ line: inout [UInt8], previous: [UInt8], filter: UInt8, stride: Int) throws(SensorError) {
        switch filter {
        case 0: break
        case 1: for i in stride..<max(stride, line.count) { line[i] &+= line[i - stride] }
        case 2: for i in 0..<line.count { line[i] &+= previous[i] }
        case 3:
            for i in 0..<line.count {
                let left = i >= stride ? Int(line[i - stride]) : 0
                line[i] &+= UInt8((left + Int(previous[i])) / 2)
            }
        case 4:
            for i in 0..<line.count {
                let a = i >= stride ? Int(line[i - stride]) : 0
                let b = Int(previous[i])
                let c = i >= stride ? Int(previous[i - stride]) : 0
                let p = a + b - c
                let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                line[i] &+= UInt8(pa <= pb && pa <= pc ? a : pb <= pc ? b : c)
            }
        default: throw SensorError("PNG row uses unknown filter \(filter)")
        }
    }

    struct Header {
        var width: Int
        var height: Int
        var bitDepth: Int
        var colorType: Int
        var interlaced: Bool

        /// Adam7's seven passes: first column, first row, column step, row step.
        static let adam7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]

        init(_ data: ArraySlice<UInt8>) throws(SensorError) {
            var reader = ByteReader(Array(data), format: "PNG")
            width = Int(try reader.u32be())
            height = Int(try reader.u32be())
            bitDepth = Int(try reader.u8())
            colorType = Int(try reader.u8())
            let compression = try reader.u8(), filterMethod = try reader.u8(), interlace = try reader.u8()
            try ImageDecoder.checkSize("PNG", width: width, height: height)
            let depths: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
            guard let allowed = depths[colorType], allowed.contains(bitDepth) else {
                throw SensorError("PNG colour type \(colorType) with bit depth \(bitDepth) is not valid")
            }
            guard compression == 0, filterMethod == 0, interlace <= 1 else { throw SensorError("PNG header has unknown methods") }
            interlaced = interlace == 1
        }

        var channels: Int { [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colorType] ?? 1 }
        var bytesPerPixel: Int { max(1, channels * bitDepth / 8) }
        func rowBytes(_ columns: Int) -> Int { (columns * channels * bitDepth + 7) / 8 }

        func passSize(_ pass: (Int, Int, Int, Int)) -> (columns: Int, rows: Int) {
            let columns = width > pass.0 ? (width - pass.0 + pass.2 - 1) / pass.2 : 0
            let rows = height > pass.1 ? (height - pass.1 + pass.3 - 1) / pass.3 : 0
            return (columns, rows)
        }

        /// Sample `index` of a row, scaled to 8 bits.
        func sample(_ line: [UInt8], _ index: Int) -> UInt8 {
            switch bitDepth {
            case 8: return line[index]
            case 16: return line[index * 2]
            default:
                let bit = index * bitDepth
                let value = (line[bit / 8] >> UInt8(8 - bitDepth - bit % 8)) & UInt8((1 << bitDepth) - 1)
                return colorType == 3 ? value : UInt8(Int(value) * 255 / ((1 << bitDepth) - 1))
            }
        }

        func pixel(_ line: [UInt8], _ column: Int, palette: [UInt8]) -> (UInt8, UInt8, UInt8) {
            let first = column * channels
            switch colorType {
            case 2, 6: return (sample(line, first), sample(line, first + 1), sample(line, first + 2))
            case 3:
                let entry = Int(sample(line, first)) * 3
                // An index past the palette shows as black rather than failing the whole image.
                guard entry + 2 < palette.count else { return (0, 0, 0) }
                return (palette[entry], palette[entry + 1], palette[entry + 2])
            default:
                let grey = sample(line, first)
                return (grey, grey, grey)
            }
        }
    }
}
