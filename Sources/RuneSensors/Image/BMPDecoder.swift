/// Reads Windows BMP files: uncompressed 1, 4, 8 (palette), 16 (5-5-5 or bit fields), 24 and
/// 32-bit images, bottom-up or top-down, with BITMAPINFOHEADER or any later header version.
public enum BMPDecoder {
    public static func isBMP(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x42 && bytes[1] == 0x4D }

    public static func decode(_ bytes: [UInt8]) throws(SensorError) -> RasterImage {
        guard isBMP(bytes) else { throw SensorError("not a BMP file") }
        var reader = ByteReader(bytes, format: "BMP", offset: 10)
        let pixelOffset = Int(try reader.u32le())
        let headerSize = Int(try reader.u32le())
        guard headerSize >= 40 else { throw SensorError("BMP uses the old OS/2 header, which is not supported") }
        let width = Int(Int32(bitPattern: try reader.u32le()))
        let rawHeight = Int(Int32(bitPattern: try reader.u32le()))
        _ = try reader.u16le()
        let bits = Int(try reader.u16le())
        let compression = try reader.u32le()
        try reader.skip(12)
        var paletteCount = Int(try reader.u32le())
        try reader.skip(4)
        let height = abs(rawHeight)
        try ImageDecoder.checkSize("BMP", width: width, height: height)
        // Bit-field masks follow a 40-byte header, or sit inside a longer one.
        var masks: (UInt32, UInt32, UInt32) = (0x7C00, 0x03E0, 0x001F)
        switch compression {
        case 0: break
        case 3 where bits == 16 || bits == 32:
            var maskReader = ByteReader(bytes, format: "BMP", offset: 14 + 40)
            masks = (try maskReader.u32le(), try maskReader.u32le(), try maskReader.u32le())
        default:
            throw SensorError("compressed BMP (method \(compression)) is not supported; save it uncompressed")
        }
        if bits == 32, compression == 0 { masks = (0x00FF_0000, 0x0000_FF00, 0x0000_00FF) }
        guard [1, 4, 8, 16, 24, 32].contains(bits) else { throw SensorError("BMP with \(bits) bits per pixel is not supported") }

        var palette: [(UInt8, UInt8, UInt8)] = []
        if bits <= 8 {
            if paletteCount == 0 { paletteCount = 1 << bits }
            var paletteReader = ByteReader(bytes, format: "BMP", offset: 14 + headerSize)
            for _ in 0..<min(paletteCount, 256) {
                let entry = try paletteReader.readBytes(4)
                palette.append((entry[entry.startIndex + 2], entry[entry.startIndex + 1], entry[entry.startIndex]))
            }
        }

        let stride = (width * bits + 31) / 32 * 4
        guard pixelOffset >= 0, pixelOffset <= bytes.count, bytes.count - pixelOffset >= stride * height else {
            throw SensorError("truncated BMP file: its pixels need \(stride * height) bytes")
        }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for row in 0..<height {
            // Positive heights store the bottom row first.
            let y = rawHeight > 0 ? height - 1 - row : row
            let line = pixelOffset + row * stride
            for x in 0..<width {
                let pixel: (UInt8, UInt8, UInt8)
                switch bits {
                case 24:
                    let at = line + x * 3
                    pixel = (bytes[at + 2], bytes[at + 1], bytes[at])
                case 16, 32:
                    let byteWidth = bits / 8
                    var value: UInt32 = 0
                    for byte in 0..<byteWidth { value |= UInt32(bytes[line + x * byteWidth + byte]) << (8 * UInt32(byte)) }
                    pixel = (channel(value, masks.0), channel(value, masks.1), channel(value, masks.2))
                default:
                    let bit = x * bits
                    let index = Int(bytes[line + bit / 8] >> UInt8(8 - bits - bit % 8)) & ((1 << bits) - 1)
                    pixel = index < palette.count ? palette[index] : (0, 0, 0)
                }
                let at = (y * width + x) * 3
                rgb[at] = pixel.0
                rgb[at + 1] = pixel.1
                rgb[at + 2] = pixel.2
            }
        }
        return RasterImage(width: width, height: height, rgb: rgb)
    }

    /// The bits under `mask`, scaled to 8 bits.
    private static func channel(_ value: UInt32, _ mask: UInt32) -> UInt8 {
        guard mask != 0 else { return 0 }
        let shift = UInt32(mask.trailingZeroBitCount)
        let maximum = mask >> shift
        return UInt8(UInt64(value & mask) >> UInt64(shift) * 255 / UInt64(maximum))
    }
}
