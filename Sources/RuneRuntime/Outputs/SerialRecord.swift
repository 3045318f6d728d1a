import RuneManifest

/// One tensor an output received, decoded from the rune's memory.
public struct OutputTensor: Sendable, Equatable {
    public enum Elements: Sendable, Equatable {
        case integers([Int64])
        case unsignedIntegers([UInt64])
        case floats([Float])
        case doubles([Double])
        case strings([[UInt8]])
    }

    public var type: TensorType
    public var elements: Elements

    /// Decodes little-endian elements of `type` from `bytes` (numeric types only).
    public init(type: TensorType, littleEndian bytes: [UInt8]) {
        self.type = type
        let count = type.elementCount
        func word(_ index: Int, _ width: Int) -> UInt64 {
            var value: UInt64 = 0
            for byte in 0..<width { value |= UInt64(bytes[index * width + byte]) << (8 * UInt64(byte)) }
            return value
        }
        switch type.elementType {
        case .u8, .u16, .u32, .u64:
            let width = type.elementType.byteWidth
            elements = .unsignedIntegers((0..<count).map { word($0, width) })
        case .i8: elements = .integers((0..<count).map { Int64(Int8(truncatingIfNeeded: word($0, 1))) })
        case .i16: elements = .integers((0..<count).map { Int64(Int16(truncatingIfNeeded: word($0, 2))) })
        case .i32: elements = .integers((0..<count).map { Int64(Int32(truncatingIfNeeded: word($0, 4))) })
        case .i64: elements = .integers((0..<count).map { Int64(bitPattern: word($0, 8)) })
        case .f32: elements = .floats((0..<count).map { Float(bitPattern: UInt32(word($0, 4))) })
        case .f64: elements = .doubles((0..<count).map { Double(bitPattern: word($0, 8)) })
        case .utf8: elements = .strings([])
        }
    }

    public init(type: TensorType, strings: [[UInt8]]) {
        self.type = type
        self.elements = .strings(strings)
    }

    /// `{"type":"i32","dimensions":[4],"elements":[0,1,2,3]}`, with the shape as declared.
    public var json: [UInt8] {
        var text = "{\"type\":\"\(type.elementType.name)\",\"dimensions\":[\(type.shape.map(String.init).joined(separator: ","))],\"elements\":["
        var bytes: [UInt8]
        switch elements {
        case .integers(let values): text += values.map(String.init).joined(separator: ",")
        case .unsignedIntegers(let values): text += values.map(String.init).joined(separator: ",")
        case .floats(let values): text += values.map(JSONNumber.format).joined(separator: ",")
        case .doubles(let values): text += values.map(JSONNumber.format).joined(separator: ",")
        case .strings: break
        }
        bytes = Array(text.utf8)
        if case .strings(let values) = elements {
            for (index, value) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes += JSONString.quote(value)
            }
        }
        return bytes + Array("]}".utf8)
    }
}

/// One SERIAL line: `{"serial":[{...},{...}]}`.
public struct SerialRecord: Sendable, Equatable {
    public var output: String
    public var tensors: [OutputTensor]

    public var json: [UInt8] {
        var bytes = JSONString.quote(Array(output.utf8)) + Array(":[".utf8)
        for (index, tensor) in tensors.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += tensor.json
        }
        return [UInt8(ascii: "{")] + bytes + Array("]}".utf8)
    }

    public var line: String { String(decoding: json, as: UTF8.self) }
}
