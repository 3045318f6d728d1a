import RuneManifest
import WasmKit

/// The host side of the ABI: the state behind `capability_read`, `output_write` and `log`.
final class HostState {
    enum Phase { case idle, manifest, call }

    let manifest: Manifest
    let sources: [any CapabilitySource]
    var phase = Phase.idle
    /// The first rule the rune broke during the current call; the call is stopped with it.
    var pendingError: RuneError?
    /// Tensors received per output during the current call.
    private var received: [[OutputTensor?]]
    var logHandler: (Int, String) -> Void = { _, _ in }

    static let maxLogBytes: UInt64 = 64 * 1024

    init(manifest: Manifest, sources: [any CapabilitySource]) {
        self.manifest = manifest
        self.sources = sources
        received = manifest.outputs.map { Array(repeating: nil, count: $0.inputs.count) }
    }

    func beginCall() {
        pendingError = nil
        received = manifest.outputs.map { Array(repeating: nil, count: $0.inputs.count) }
    }

    /// The records of the outputs that received all of their tensors.
    func finishCall() throws(RuneError) -> [SerialRecord] {
        var records: [SerialRecord] = []
        for (index, output) in manifest.outputs.enumerated() {
            let tensors = received[index]
            if tensors.allSatisfy({ $0 == nil }) { continue }
            guard tensors.allSatisfy({ $0 != nil }) else {
                throw .violation("output '\(output.name)' received only some of its \(tensors.count) tensors")
            }
            records.append(SerialRecord(output: output.name, tensors: tensors.map { $0! }))
        }
        return records
    }

    private func memory(_ caller: borrowing Caller) throws -> Memory {
        guard let memory = caller.instance?.exports[memory: "memory"] else {
            throw stop(.abi("host function called without the rune's memory"))
        }
        return memory
    }

    /// Records `error` as the reason the call stops, and returns an error that unwinds it.
    private func stop(_ error: RuneError) -> RuneError {
        if pendingError == nil { pendingError = error }
        return pendingError!
    }

    func capabilityRead(caller: borrowing Caller, _ arguments: [Value]) throws -> Int32 {
        try capabilityRead(memory: try memory(caller), arguments.map(\.u32))
    }

    func capabilityRead(memory: some GuestMemory, _ arguments: [UInt32]) throws -> Int32 {
        guard phase == .call else { throw stop(.violation("'_manifest' called capability_read; it must not touch the host")) }
        let (index, address, length) = (arguments[0], arguments[1], arguments[2])
        guard Int(index) < manifest.capabilities.count else {
            throw stop(.violation("it read capability \(index), but its manifest declares only \(manifest.capabilities.count) capabilit\(manifest.capabilities.count == 1 ? "y" : "ies")"))
        }
        let capability = manifest.capabilities[Int(index)]
        guard Int(length) == capability.tensor.byteCount else {
            throw stop(.violation("it read \(length) bytes from capability '\(capability.name)', which is \(capability.tensor) (\(capability.tensor.byteCount) bytes)"))
        }
        guard UInt64(address) + UInt64(length) <= UInt64(memory.byteCount) else {
            throw stop(.violation("capability_read's buffer lies outside the rune's memory"))
        }
        let source = sources[Int(index)]
        let failure: RuneError? = memory.withUnsafeMutableBufferPointer(offset: UInt(address), count: Int(length)) { buffer -> RuneError? in
            do {
                try source.read(into: buffer)
                return nil
            } catch {
                return error as? RuneError ?? .input("\(error)")
            }
        }
        if let failure { throw stop(failure) }
        return Int32(length)
    }

    func outputWrite(caller: borrowing Caller, _ arguments: [Value]) throws -> Int32 {
        try outputWrite(memory: try memory(caller), arguments.map(\.u32))
    }

    func outputWrite(memory: some GuestMemory, _ arguments: [UInt32]) throws -> Int32 {
        guard phase == .call else { throw stop(.violation("'_manifest' called output_write; it must not touch the host")) }
        let (index, input, address, length) = (arguments[0], arguments[1], arguments[2], arguments[3])
        guard Int(index) < manifest.outputs.count else {
            throw stop(.violation("it wrote output \(index), but its manifest declares only \(manifest.outputs.count) output\(manifest.outputs.count == 1 ? "" : "s")"))
        }
        let output = manifest.outputs[Int(index)]
        guard Int(input) < output.inputs.count else {
            throw stop(.violation("it wrote tensor \(input) of output '\(output.name)', which takes \(output.inputs.count)"))
        }
        let type = output.inputs[Int(input)]
        guard Int(length) == type.byteCount else {
            throw stop(.violation("it wrote \(length) bytes as tensor \(input) of output '\(output.name)', which is \(type) (\(type.byteCount) bytes)"))
        }
        guard let bytes = memory.readBytes(address: UInt64(address), length: UInt64(length)) else {
            throw stop(.violation("output_write's buffer lies outside the rune's memory"))
        }
        if type.elementType == .utf8 {
            var strings: [[UInt8]] = []
            for element in 0..<type.elementCount {
                let pointer = UInt64(bytes[element * 8]) | UInt64(bytes[element * 8 + 1]) << 8
                    | UInt64(bytes[element * 8 + 2]) << 16 | UInt64(bytes[element * 8 + 3]) << 24
                let size = UInt64(bytes[element * 8 + 4]) | UInt64(bytes[element * 8 + 5]) << 8
                    | UInt64(bytes[element * 8 + 6]) << 16 | UInt64(bytes[element * 8 + 7]) << 24
                guard let text = memory.readBytes(address: pointer, length: size) else {
                    throw stop(.violation("string \(element) of output '\(output.name)' lies outside the rune's memory"))
                }
                strings.append(text)
            }
            received[Int(index)][Int(input)] = OutputTensor(type: type, strings: strings)
        } else {
            received[Int(index)][Int(input)] = OutputTensor(type: type, littleEndian: bytes)
        }
        return 0
    }

    func log(caller: borrowing Caller, _ arguments: [Value]) throws {
        try log(memory: try memory(caller), arguments.map(\.u32))
    }

    func log(memory: some GuestMemory, _ arguments: [UInt32]) throws {
        let (level, address, length) = (arguments[0], arguments[1], arguments[2])
        guard let bytes = memory.readBytes(address: UInt64(address), length: min(UInt64(length), HostState.maxLogBytes)) else {
            throw stop(.violation("a log message lies outside the rune's memory"))
        }
        logHandler(Int(level), String(decoding: bytes, as: UTF8.self))
    }
}

extension Value {
    /// The i32 argument as unsigned (addresses, lengths, indices).
    var u32: UInt32 {
        if case .i32(let value) = self { return value }
        return 0
    }
}
