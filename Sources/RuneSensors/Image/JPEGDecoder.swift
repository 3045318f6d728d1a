/// Reads JPEG files: baseline and extended sequential Huffman-coded images (SOF0, SOF1) with
/// 8-bit samples, greyscale or three-component (YCbCr, or RGB when an Adobe marker says so), with
/// sampling factors of 1 or 2 in each direction (4:4:4, 4:2:2, 4:2:0, 4:4:0), restart markers,
/// and 8- or 16-bit quantisation tables.
///
/// Progressive, lossless, hierarchical and arithmetic-coded files, 12-bit samples and CMYK are
/// refused with an error that says so; resaving the image as baseline JPEG always works.
///
/// Pixels match libjpeg's default output to within rounding: subsampled chroma is upsampled with
/// the same triangular ("fancy") filter and converted with the same fixed-point JFIF formulas;
/// only the IDCT (floating point here, integer there) differs by ±1 now and then.
public enum JPEGDecoder {
    /// Whether `bytes` starts with the JPEG start-of-image marker (FF D8).
    public static func isJPEG(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0xFF && bytes[1] == 0xD8
    }

    /// Decodes a JPEG file into 8-bit RGB (greyscale images repeat the grey level in R, G and B).
    ///
    /// - Throws: `SensorError` when the bytes are not a JPEG file, are truncated or corrupt, or
    ///   use a JPEG variant this decoder does not read (the message names it).
    public static func decode(_ bytes: [UInt8]) throws(SensorError) -> RasterImage {
        guard isJPEG(bytes) else { throw SensorError("not a JPEG file") }
        var parser = FileParser(bytes: bytes)
        return try parser.decode()
    }
}

extension JPEGDecoder {
    /// One colour channel as the frame header declares it, and its decoded samples.
    struct Component {
        let id: UInt8
        let horizontalSampling: Int
        let verticalSampling: Int
        let quantizationTable: Int
        /// Samples across and down before upsampling (T.81 A.1.1).
        var width = 0
        var height = 0
        /// The sample plane covers whole MCUs, so that an interleaved scan's padding blocks have
        /// somewhere to go.
        var blocksAcross = 0
        var blocksDown = 0
        /// Row-major, `stride` bytes a row; grown by the scans that carry the component.
        var samples: [UInt8] = []
        var decoded = false

        var stride: Int { blocksAcross * 8 }
    }

    struct Frame {
        let width: Int
        let height: Int
        var components: [Component]
        let maxHorizontalSampling: Int
        let maxVerticalSampling: Int
        let mcusAcross: Int
        let mcusDown: Int
    }

    /// A component's part in one scan.
    struct ScanComponent {
        let index: Int
        let dcTable: HuffmanTable
        let acTable: HuffmanTable
        let quantization: [Float]
    }

    /// Big-endian reads confined to one marker segment.
    struct SegmentReader {
        let bytes: [UInt8]
        var position: Int
        let end: Int

        var isAtEnd: Bool { position >= end }

        mutating func u8() throws(SensorError) -> Int {
            guard position < end else { throw SensorError("corrupt JPEG: a marker segment is too short") }
            defer { position += 1 }
            return Int(bytes[position])
        }

        mutating func u16() throws(SensorError) -> Int {
            let high = try u8()
            return high << 8 | (try u8())
        }
    }

    /// Walks the marker segments of one file, collecting tables and decoding scans as they come.
    struct FileParser {
        let bytes: [UInt8]
        var position = 2
        /// Quantisation tables in zig-zag order, as DQT stores them.
        var quantizationTables: [[Float]?] = [nil, nil, nil, nil]
        var dcTables: [HuffmanTable?] = [nil, nil, nil, nil]
        var acTables: [HuffmanTable?] = [nil, nil, nil, nil]
        var restartInterval = 0
        var frame: Frame?
        /// The Adobe APP14 colour transform: 0 means the three components are RGB, not YCbCr.
        var adobeTransform: Int?
        var hasJFIFMarker = false

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func decode() throws(SensorError) -> RasterImage {
            while let marker = nextMarker() {
                switch marker {
                case 0xD9:
                    return try makeImage(sawEndMarker: true)
                case 0xC0, 0xC1:
                    try readFrame(try segment())
                case 0xC2:
                    throw SensorError("progressive JPEG is not supported; save it as baseline")
                case 0xCA:
                    throw SensorError("progressive arithmetic-coded JPEG is not supported; save it as baseline")
                case 0xC3:
                    throw SensorError("lossless JPEG is not supported; save it as baseline")
                case 0xC5, 0xC6, 0xC7:
                    throw SensorError("hierarchical JPEG is not supported; save it as baseline")
                case 0xC9, 0xCB, 0xCD, 0xCE, 0xCF:
                    throw SensorError("arithmetic-coded JPEG is not supported; save it as baseline")
                case 0xC4:
                    try readHuffmanTables(try segment())
                case 0xDB:
                    try readQuantizationTables(try segment())
                case 0xDD:
                    var reader = try segment()
                    restartInterval = try reader.u16()
                case 0xDA:
                    try readScan(try segment())
                case 0xE0, 0xEE:
                    try readColorSpaceHint(marker, try segment())
                case 0x01, 0xD0...0xD8:
                    continue   // markers without a segment; a stray RSTn or SOI carries nothing
                default:
                    _ = try segment()   // APPn, COM, DNL, DAC and reserved markers: skipped
                }
            }
            // libjpeg also accepts a file that stops without EOI once every scan is complete.
            return try makeImage(sawEndMarker: false)
        }

        /// Finds the next marker, skipping fill bytes and anything that is not a marker: a
        /// damaged file may have stray bytes between segments, and only a marker can resync.
        mutating func nextMarker() -> UInt8? {
            while position < bytes.count {
                guard bytes[position] == 0xFF else {
                    position += 1
                    continue
                }
                var next = position + 1
                while next < bytes.count, bytes[next] == 0xFF { next += 1 }
                guard next < bytes.count else { break }
                position = next + 1
                if bytes[next] != 0 { return bytes[next] }   // FF 00 is stuffed data, not a marker
            }
            position = bytes.count
            return nil
        }

        /// The payload of the segment that starts at `position`, which moves past it.
        mutating func segment() throws(SensorError) -> SegmentReader {
            guard position + 2 <= bytes.count else { throw SensorError("truncated JPEG file") }
            let length = Int(bytes[position]) << 8 | Int(bytes[position + 1])
            guard length >= 2 else { throw SensorError("corrupt JPEG: a marker segment has length \(length)") }
            let end = position + length
            guard end <= bytes.count else { throw SensorError("truncated JPEG file") }
            defer { position = end }
            return SegmentReader(bytes: bytes, position: position + 2, end: end)
        }

        /// Notes what the JFIF (APP0) and Adobe (APP14) segments say about the colour space;
        /// other APPn segments are skipped unread.
        mutating func readColorSpaceHint(_ marker: UInt8, _ segment: SegmentReader) throws(SensorError) {
            let payload = bytes[segment.position..<segment.end]
            if marker == 0xE0, payload.starts(with: Array("JFIF".utf8)) {
                hasJFIFMarker = true
            } else if marker == 0xEE, payload.starts(with: Array("Adobe".utf8)), payload.count >= 12 {
                // "Adobe", version (2 bytes), flags (2 + 2), then the transform.
                adobeTransform = Int(payload[payload.startIndex + 11])
            }
        }

        mutating func readQuantizationTables(_ segment: SegmentReader) throws(SensorError) {
            var reader = segment
            while !reader.isAtEnd {
                let header = try reader.u8()
                let precision = header >> 4, index = header & 15
                guard precision <= 1, index < 4 else {
                    throw SensorError("corrupt JPEG: invalid quantization table header")
                }
                var table = [Float](repeating: 0, count: 64)
                for k in 0..<64 { table[k] = Float(precision == 0 ? try reader.u8() : try reader.u16()) }
                quantizationTables[index] = table
            }
        }

        mutating func readHuffmanTables(_ segment: SegmentReader) throws(SensorError) {
            var reader = segment
            while !reader.isAtEnd {
                let header = try reader.u8()
                let tableClass = header >> 4, index = header & 15
                guard tableClass <= 1, index < 4 else {
                    throw SensorError("corrupt JPEG: invalid Huffman table header")
                }
                var counts: [Int] = []
                for _ in 0..<16 { counts.append(try reader.u8()) }
                let total = counts.reduce(0, +)
                guard total <= 256 else { throw SensorError("corrupt JPEG: invalid Huffman table") }
                var symbols: [UInt8] = []
                for _ in 0..<total { symbols.append(UInt8(try reader.u8())) }
                let table = try HuffmanTable(counts: counts, symbols: symbols)
                if tableClass == 0 { dcTables[index] = table } else { acTables[index] = table }
            }
        }

        mutating func readFrame(_ segment: SegmentReader) throws(SensorError) {
            guard frame == nil else { throw SensorError("corrupt JPEG: more than one frame header") }
            var reader = segment
            let precision = try reader.u8()
            guard precision == 8 else {
                throw SensorError(precision == 12
                    ? "12-bit JPEG is not supported; save it as 8-bit baseline"
                    : "corrupt JPEG: \(precision)-bit samples")
            }
            let height = try reader.u16(), width = try reader.u16()
            guard height > 0 else {
                throw SensorError("JPEG whose height is given by a DNL marker is not supported")
            }
            guard width > 0 else { throw SensorError("corrupt JPEG: image width is 0") }
            try ImageDecoder.checkSize("JPEG", width: width, height: height)
            let count = try reader.u8()
            switch count {
            case 1, 3: break
            case 4: throw SensorError("CMYK JPEG is not supported; save it as RGB")
            default: throw SensorError("JPEG with \(count) colour components is not supported")
            }
            var components: [Component] = []
            for _ in 0..<count {
                let id = UInt8(try reader.u8())
                let sampling = try reader.u8()
                let table = try reader.u8()
                let horizontal = sampling >> 4, vertical = sampling & 15
                guard (1...4).contains(horizontal), (1...4).contains(vertical), table < 4 else {
                    throw SensorError("corrupt JPEG: invalid component in the frame header")
                }
                guard horizontal <= 2, vertical <= 2 else {
                    throw SensorError("JPEG sampling factor \(horizontal)x\(vertical) is not supported (only 1 and 2)")
                }
                guard !components.contains(where: { $0.id == id }) else {
                    throw SensorError("corrupt JPEG: two components share one id")
                }
                components.append(Component(
                    id: id, horizontalSampling: horizontal, verticalSampling: vertical, quantizationTable: table
                ))
            }
            let maxHorizontal = components.map(\.horizontalSampling).max() ?? 1
            let maxVertical = components.map(\.verticalSampling).max() ?? 1
            let mcusAcross = (width + 8 * maxHorizontal - 1) / (8 * maxHorizontal)
            let mcusDown = (height + 8 * maxVertical - 1) / (8 * maxVertical)
            for i in components.indices {
                let h = components[i].horizontalSampling, v = components[i].verticalSampling
                components[i].width = (width * h + maxHorizontal - 1) / maxHorizontal
                components[i].height = (height * v + maxVertical - 1) / maxVertical
                components[i].blocksAcross = mcusAcross * h
                components[i].blocksDown = mcusDown * v
            }
            frame = Frame(
                width: width, height: height, components: components,
                maxHorizontalSampling: maxHorizontal, maxVerticalSampling: maxVertical,
                mcusAcross: mcusAcross, mcusDown: mcusDown
            )
        }

        mutating func readScan(_ segment: SegmentReader) throws(SensorError) {
            // Taken out of `self` so the sample planes are uniquely referenced while the scan
            // writes into them.
            guard var frame = self.frame else {
                throw SensorError("corrupt JPEG: a scan comes before the frame header")
            }
            self.frame = nil
            var reader = segment
            let count = try reader.u8()
            guard (1...frame.components.count).contains(count) else {
                throw SensorError("corrupt JPEG: a scan has \(count) components")
            }
            var scan: [ScanComponent] = []
            for _ in 0..<count {
                let id = UInt8(try reader.u8())
                let tables = try reader.u8()
                guard let index = frame.components.firstIndex(where: { $0.id == id }),
                      !scan.contains(where: { $0.index == index })
                else { throw SensorError("corrupt JPEG: a scan names an unknown component") }
                let dcIndex = tables >> 4, acIndex = tables & 15
                guard dcIndex < 4, acIndex < 4,
                      let dcTable = dcTables[dcIndex], let acTable = acTables[acIndex]
                else {
                    throw SensorError("corrupt JPEG: a scan uses an undefined Huffman table")
                }
                guard let quantization = quantizationTables[frame.components[index].quantizationTable] else {
                    throw SensorError("corrupt JPEG: a component uses an undefined quantization table")
                }
                scan.append(ScanComponent(
                    index: index, dcTable: dcTable, acTable: acTable, quantization: quantization
                ))
            }
            // Spectral selection and successive approximation (Ss, Se, Ah/Al) are fixed for
            // sequential JPEG; libjpeg ignores odd values there, and so does this.
            position = try decodeScan(scan, frame: &frame, from: position)
            self.frame = frame
        }

        /// Decodes the entropy-coded data of one scan into the sample planes.
        ///
        /// - Returns: where the data ends (the next marker, or the end of the file).
        func decodeScan(_ scan: [ScanComponent], frame: inout Frame, from start: Int) throws(SensorError) -> Int {
            var reader = EntropyReader(bytes: bytes, position: start)
            var predictors = [Int](repeating: 0, count: scan.count)
            var coefficients = [Float](repeating: 0, count: 64)
            var transform = InverseDCT()

            // A scan of one component is not interleaved: its MCU is one block, and it covers
            // only the blocks the component's own size needs (T.81 A.2.2). Only numbers are
            // copied out of `frame.components`: a copy of a component would share its sample
            // plane and make every write below copy the whole plane.
            let single = scan.count == 1
            let unitsAcross = single ? (frame.components[scan[0].index].width + 7) / 8 : frame.mcusAcross
            let unitsDown = single ? (frame.components[scan[0].index].height + 7) / 8 : frame.mcusDown
            let blocksAcross = scan.map { single ? 1 : frame.components[$0.index].horizontalSampling }
            let blocksDown = scan.map { single ? 1 : frame.components[$0.index].verticalSampling }
            let strides = scan.map { frame.components[$0.index].stride }
            for unit in 0..<(unitsAcross * unitsDown) {
                if restartInterval > 0, unit > 0, unit % restartInterval == 0 {
                    try reader.restart()
                    for i in predictors.indices { predictors[i] = 0 }
                }
                let unitX = unit % unitsAcross, unitY = unit / unitsAcross
                if unitX == 0 {
                    // Planes grow a row of blocks at a time as data arrives, so a small file whose
                    // header promises a huge image fails before it costs much memory.
                    for n in scan.indices {
                        let needed = (unitY + 1) * blocksDown[n] * 8 * strides[n]
                        let have = frame.components[scan[n].index].samples.count
                        if have < needed {
                            frame.components[scan[n].index].samples += [UInt8](repeating: 0, count: needed - have)
                        }
                    }
                }
                for n in scan.indices {
                    let part = scan[n]
                    let blocksX = blocksAcross[n], blocksY = blocksDown[n], stride = strides[n]
                    for y in 0..<blocksY {
                        for x in 0..<blocksX {
                            coefficients.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
                            let hasAC = try reader.decodeBlock(
                                into: &coefficients, dcTable: part.dcTable, acTable: part.acTable,
                                quantization: part.quantization, predictor: &predictors[n]
                            )
                            let blockX = unitX * blocksX + x, blockY = unitY * blocksY + y
                            transform.apply(
                                to: coefficients, hasAC: hasAC,
                                into: &frame.components[part.index].samples,
                                at: blockY * 8 * stride + blockX * 8, stride: stride
                            )
                        }
                    }
                }
                if reader.overran { throw reader.endOfDataError }
            }
            for part in scan { frame.components[part.index].decoded = true }
            return reader.position
        }

        func makeImage(sawEndMarker: Bool) throws(SensorError) -> RasterImage {
            guard let frame else {
                throw SensorError(sawEndMarker ? "JPEG file has no frame header" : "truncated JPEG file")
            }
            guard frame.components.allSatisfy(\.decoded) else {
                throw SensorError(sawEndMarker ? "JPEG file lacks image data for some components" : "truncated JPEG file")
            }
            // libjpeg's rule: an Adobe marker decides; without one, a file that is not JFIF and
            // names its components R, G, B holds RGB.
            let namesRGB = frame.components.map(\.id) == Array("RGB".utf8)
            let isRGB = adobeTransform.map { $0 == 0 } ?? (!hasJFIFMarker && namesRGB)
            return ColorConverter(frame: frame, componentsAreRGB: isRGB).image()
        }
    }
}

extension JPEGDecoder {
    /// A separable floating-point 8x8 inverse DCT (T.81 A.3.3) with the level shift and clamping.
    struct InverseDCT {
        /// Column results, kept between blocks to spare an allocation per block.
        var workspace = [Float](repeating: 0, count: 64)

        /// Transforms one block of dequantised coefficients (natural order) and writes the 8x8
        /// samples at `offset` into a plane `stride` bytes wide.
        mutating func apply(
            to coefficients: [Float], hasAC: Bool, into samples: inout [UInt8], at offset: Int, stride: Int
        ) {
            if !hasAC {
                // A flat block, common in smooth areas: every sample is DC/8.
                let value = Self.sample(coefficients[0] / 8)
                for y in 0..<8 {
                    for x in 0..<8 { samples[offset + y * stride + x] = value }
                }
                return
            }
            for u in 0..<8 {
                let column = Self.transform(
                    coefficients[u], coefficients[8 + u], coefficients[16 + u], coefficients[24 + u],
                    coefficients[32 + u], coefficients[40 + u], coefficients[48 + u], coefficients[56 + u]
                )
                workspace[u] = column.0
                workspace[8 + u] = column.1
                workspace[16 + u] = column.2
                workspace[24 + u] = column.3
                workspace[32 + u] = column.4
                workspace[40 + u] = column.5
                workspace[48 + u] = column.6
                workspace[56 + u] = column.7
            }
            for y in 0..<8 {
                let row = Self.transform(
                    workspace[y * 8], workspace[y * 8 + 1], workspace[y * 8 + 2], workspace[y * 8 + 3],
                    workspace[y * 8 + 4], workspace[y * 8 + 5], workspace[y * 8 + 6], workspace[y * 8 + 7]
                )
                let start = offset + y * stride
                samples[start] = Self.sample(row.0)
                samples[start + 1] = Self.sample(row.1)
                samples[start + 2] = Self.sample(row.2)
                samples[start + 3] = Self.sample(row.3)
                samples[start + 4] = Self.sample(row.4)
                samples[start + 5] = Self.sample(row.5)
                samples[start + 6] = Self.sample(row.6)
                samples[start + 7] = Self.sample(row.7)
            }
        }

        /// The 8-point inverse DCT, f(x) = sum over u of C(u)/2 · F(u) · cos((2x + 1)uπ/16),
        /// evaluated as the textbook sum but sharing work between outputs x and 7 - x: their
        /// cosines agree for even u and differ only in sign for odd u.
        @inline(__always)
        static func transform(
            _ f0: Float, _ f1: Float, _ f2: Float, _ f3: Float,
            _ f4: Float, _ f5: Float, _ f6: Float, _ f7: Float
        ) -> (Float, Float, Float, Float, Float, Float, Float, Float) {
            // cos(kπ/16) / 2; C(0)/2 = 1/(2√2) equals k4.
            let k1: Float = 0.490_392_64, k2: Float = 0.461_939_77, k3: Float = 0.415_734_81
            let k4: Float = 0.353_553_39, k5: Float = 0.277_785_12, k6: Float = 0.191_341_72
            let k7: Float = 0.097_545_16
            // Even frequencies: the same for x and 7 - x.
            let a = (f0 + f4) * k4, b = (f0 - f4) * k4
            let p = k2 * f2 + k6 * f6, q = k6 * f2 - k2 * f6
            let e0 = a + p, e3 = a - p, e1 = b + q, e2 = b - q
            // Odd frequencies: added for x, subtracted for 7 - x.
            let o0 = k1 * f1 + k3 * f3 + k5 * f5 + k7 * f7
            let o1 = k3 * f1 - k7 * f3 - k1 * f5 - k5 * f7
            let o2 = k5 * f1 - k1 * f3 + k7 * f5 + k3 * f7
            let o3 = k7 * f1 - k5 * f3 + k3 * f5 - k1 * f7
            return (e0 + o0, e1 + o1, e2 + o2, e3 + o3, e3 - o3, e2 - o2, e1 - o1, e0 - o0)
        }

        /// Level-shifts, rounds half up and clamps; written so that even a NaN lands in range.
        @inline(__always)
        static func sample(_ value: Float) -> UInt8 {
            let shifted = value + 128.5
            guard shifted >= 1 else { return 0 }
            guard shifted < 255 else { return 255 }
            return UInt8(shifted)   // truncation of a positive number: the floor
        }
    }

    /// Upsamples subsampled components and converts the result to RGB, one output row at a time.
    struct ColorConverter {
        let frame: Frame
        let componentsAreRGB: Bool

        func image() -> RasterImage {
            let width = frame.width, height = frame.height
            var rgb = [UInt8](repeating: 0, count: width * height * 3)
            let components = frame.components
            // One full-resolution row per channel; separate arrays rather than an array of rows
            // keep the per-pixel loop free of nested-array traffic.
            var first = [UInt8](repeating: 0, count: width)
            var second = first, third = first
            var columnSums = [Int](repeating: 0, count: width)
            for y in 0..<height {
                upsample(components[0], row: y, into: &first, columnSums: &columnSums)
                var out = y * width * 3
                if components.count == 1 {
                    for x in 0..<width {
                        let grey = first[x]
                        rgb[out] = grey
                        rgb[out + 1] = grey
                        rgb[out + 2] = grey
                        out += 3
                    }
                    continue
                }
                upsample(components[1], row: y, into: &second, columnSums: &columnSums)
                upsample(components[2], row: y, into: &third, columnSums: &columnSums)
                if componentsAreRGB {
                    for x in 0..<width {
                        rgb[out] = first[x]
                        rgb[out + 1] = second[x]
                        rgb[out + 2] = third[x]
                        out += 3
                    }
                } else {
                    // JFIF's full-range BT.601 YCbCr, in 16.16 fixed point rounded half up (the
                    // arithmetic libjpeg uses, so results match it exactly).
                    for x in 0..<width {
                        let luma = Int(first[x]), cb = Int(second[x]) - 128, cr = Int(third[x]) - 128
                        rgb[out] = Self.clamp(luma + (91881 * cr + 32768) >> 16)
                        rgb[out + 1] = Self.clamp(luma + (-22554 * cb - 46802 * cr + 32768) >> 16)
                        rgb[out + 2] = Self.clamp(luma + (116130 * cb + 32768) >> 16)
                        out += 3
                    }
                }
            }
            return RasterImage(width: width, height: height, rgb: rgb)
        }

        @inline(__always)
        static func clamp(_ value: Int) -> UInt8 { value < 0 ? 0 : value > 255 ? 255 : UInt8(value) }

        /// Writes output row `y` of `component` at full resolution.
        ///
        /// Subsampled rows are interpolated as libjpeg's "fancy" upsampling does: each output
        /// sample sits a quarter of the way between two input samples, so it takes 3/4 of the
        /// nearer and 1/4 of the farther (per direction), with edge samples repeated. The rounding
        /// biases alternate between neighbouring outputs as libjpeg's do, so that errors do not
        /// pile up in one direction.
        func upsample(_ component: Component, row y: Int, into out: inout [UInt8], columnSums: inout [Int]) {
            let width = frame.width
            let horizontal = component.horizontalSampling < frame.maxHorizontalSampling
            let vertical = component.verticalSampling < frame.maxVerticalSampling
            let stride = component.stride
            let lastColumn = component.width - 1, lastRow = component.height - 1
            let samples = component.samples
            switch (horizontal, vertical) {
            case (false, false):
                let start = y * stride
                out.replaceSubrange(0..<width, with: samples[start..<(start + width)])
            case (true, false):
                let start = y * stride
                for x in 0..<width {
                    let column = x >> 1
                    let nearer = Int(samples[start + column])
                    if x & 1 == 0 {
                        out[x] = UInt8((3 * nearer + Int(samples[start + max(column - 1, 0)]) + 1) >> 2)
                    } else {
                        out[x] = UInt8((3 * nearer + Int(samples[start + min(column + 1, lastColumn)]) + 2) >> 2)
                    }
                }
            case (false, true):
                let row = y >> 1
                let upper = y & 1 == 0
                let other = upper ? max(row - 1, 0) : min(row + 1, lastRow)
                let bias = upper ? 1 : 2
                for x in 0..<width {
                    out[x] = UInt8((3 * Int(samples[row * stride + x]) + Int(samples[other * stride + x]) + bias) >> 2)
                }
            case (true, true):
                let row = y >> 1
                let other = y & 1 == 0 ? max(row - 1, 0) : min(row + 1, lastRow)
                let columns = (width + 1) >> 1
                for column in 0..<columns {
                    columnSums[column] = 3 * Int(samples[row * stride + column]) + Int(samples[other * stride + column])
                }
                for x in 0..<width {
                    let column = x >> 1
                    let nearer = 3 * columnSums[column]
                    if x & 1 == 0 {
                        out[x] = UInt8((nearer + columnSums[max(column - 1, 0)] + 8) >> 4)
                    } else {
                        out[x] = UInt8((nearer + columnSums[min(column + 1, lastColumn)] + 7) >> 4)
                    }
                }
            }
        }
    }
}
