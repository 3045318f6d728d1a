/// Appends a custom section to a WebAssembly module.
///
/// Custom sections may appear anywhere after the header, and runtimes ignore those they do not
/// know, so appending one leaves the module's meaning unchanged. runec stores the manifest and
/// the pipeline description this way.
public enum WasmCustomSection {
    public static func append(name: String, payload: [UInt8], to module: [UInt8]) -> [UInt8] {
        var writer = ByteWriter()
        writer.string(name)
        writer.bytes(payload)
        var section = ByteWriter()
        section.byte(0)
        section.uleb(writer.buffer.count)
        section.bytes(writer.buffer)
        return module + section.buffer
    }
}
