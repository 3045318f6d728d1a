/// Appends a custom section to a WebAssembly module.
///
/// Custom sections may appear anywhere after the header, and runtimes ignore those they do not
/// know, so appending one leaves the module's meaning unchanged.
enum WasmCustomSection {
    static func append(name: String, payload: [UInt8], to module: [UInt8]) -> [UInt8] {
        let nameBytes = Array(name.utf8)
        let content = leb128(nameBytes.count) + nameBytes + payload
        return module + [0] + leb128(content.count) + content
    }

    static func leb128(_ value: Int) -> [UInt8] {
        var remaining = UInt64(value)
        var bytes: [UInt8] = []
        repeat {
            var byte = UInt8(remaining & 0x7f)
            remaining >>= 7
            if remaining != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while remaining != 0
        return bytes
    }
}
