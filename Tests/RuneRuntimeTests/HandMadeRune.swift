import RuneManifest
import WAT

/// Builds runes by hand, in WebAssembly text, to test what the host does with runes that
/// runec would never produce.
enum HandMadeRune {
    /// A manifest with one RAW I32[4] capability and one SERIAL output of I32[4].
    static let manifest = Manifest(
        capabilities: [.init(name: "input", kind: "RAW", tensor: TensorType(.i32, [4]), arguments: [])],
        outputs: [.init(name: "serial", kind: "SERIAL", inputs: [TensorType(.i32, [4])], arguments: [])],
        models: [], memoryBytes: 65536)

    /// A module whose `_call` body is `call`; the manifest blob is at address 1024 and a
    /// 16-byte buffer at 2048.
    static func module(call: String, imports: String? = nil, manifestInMemory: Manifest? = nil,
                       section: Manifest? = manifest, exports: String = #"(export "_manifest" (func $manifest)) (export "_call" (func $call))"#) throws -> [UInt8] {
        let blob = (manifestInMemory ?? manifest).encoded()
        let length = UInt32(blob.count)
        let header = [UInt8(length & 0xff), UInt8(length >> 8 & 0xff), UInt8(length >> 16 & 0xff), UInt8(length >> 24)]
        let data = (header + blob).map { "\\" + String($0, radix: 16).leftPadded(2) }.joined()
        let text = """
        (module
          \(imports ?? """
          (import "rune" "capability_read" (func $read (param i32 i32 i32) (result i32)))
          (import "rune" "output_write" (func $write (param i32 i32 i32 i32) (result i32)))
          (import "rune" "log" (func $log (param i32 i32 i32)))
          """)
          (memory (export "memory") 1)
          (data (i32.const 1024) "\(data)")
          (func $manifest (result i32) i32.const 1024)
          (func $call (result i32) \(call))
          \(exports)
        )
        """
        let wasm = try wat2wasm(text)
        guard let section else { return wasm }
        return WasmCustomSection.append(name: Manifest.sectionName, payload: section.encoded(), to: wasm)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
