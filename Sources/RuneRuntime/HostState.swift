import Dispatch
import RuneManifest
import WasmKit

/// The host side of the ABI: the state behind `capability_read`, `output_write` and `log`.
///
/// The state a call touches is `@exclusivity(unchecked)`: the host functions run on the thread
/// making the call, one at a time, and never hold an access across a call back into the rune,
/// so the runtime checks (a thread-local access set updated on every property access) would
/// only add cost on each host call.
final class HostState {
    enum Phase { case idle, manifest, call }

    let manifest: Manifest
    let sources: [any CapabilitySource]
    @exclusivity(unchecked) var phase = Phase.idle
    /// The first rule the rune broke during the current call; the call is stopped with it.
    @exclusivity(unchecked) var pendingError: RuneError?
    /// What each tensor of each output received during the current call, in storage made once
    /// per instance: a call copies output bytes but allocates nothing (strings aside), and
    /// records are built only when asked for (``records()``).
    @exclusivity(unchecked) private var received: [ReceivedTensor]
    /// Where each output's tensors start in `received`, and one past the last output's end.
    private let firstTensor: [Int]
    /// Each capability's tensor size in bytes, and each output tensor's (in `received` order),
    /// worked out once: the checks on every host call compare against them.
    private let capabilityBytes: [Int]
    private let tensorBytes: [Int]
    var logHandler: (Int, String) -> Void = { _, _ in }
    /// Called with what the host has to say about a call (log lines it dropped).
    var noteHandler: (String) -> Void = { _ in }
    let limits: RunLimits
    /// Bytes handed to outputs during the current call.
    @exclusivity(unchecked) private var outputBytes = 0
    /// Whether the last call finished without an error: only then are its outputs records.
    @exclusivity(unchecked) private var lastCallFinished = false
    /// Log lines shown and dropped during the current call.
    @exclusivity(unchecked) private var logLines = 0
    @exclusivity(unchecked) private var droppedLogLines = 0

    init(manifest: Manifest, sources: [any CapabilitySource], limits: RunLimits) {
        self.manifest = manifest
        self.sources = sources
        self.limits = limits
        received = manifest.outputs.flatMap { output in output.inputs.map { ReceivedTensor(type: $0) } }
        var firstTensor = [0]
        for output in manifest.outputs { firstTensor.append(firstTensor.last! + output.inputs.count) }
        self.firstTensor = firstTensor
        capabilityBytes = manifest.capabilities.map(\.tensor.byteCount)
        tensorBytes = manifest.outputs.flatMap { $0.inputs.map(\.byteCount) }
    }

    /// Starts a call of `_manifest()`, `_call()` or `_stage()`: the per-call limits start over.
    func beginInvocation() {
        pendingError = nil
        logLines = 0
        droppedLogLines = 0
    }

    /// Ends a call, however it ended: says how many log lines were dropped.
    func endInvocation() {
        if droppedLogLines > 0 {
            noteHandler("\(droppedLogLines) more log line\(droppedLogLines == 1 ? " was" : "s were") dropped (the limit is \(limits.maxLogLinesPerCall) per call; see --max-log-lines)")
        }
        droppedLogLines = 0
    }

    func beginCall() {
        beginInvocation()
        outputBytes = 0
        lastCallFinished = false
        for tensor in received.indices { received[tensor].clear() }
    }

    /// Counts `bytes` more output in this call, or stops the call if that is past the limit.
    private func chargeOutput(_ bytes: UInt64, what: @autoclosure () -> String) throws {
        let (total, overflow) = UInt64(outputBytes).addingReportingOverflow(bytes)
        guard !overflow, total <= UInt64(limits.maxOutputBytesPerCall) else {
            throw stop(.violation("\(what()) would bring its output in this call to \(overflow ? "more than \(UInt64.max)" : "\(total)") bytes, over the limit of \(limits.maxOutputBytesPerCall) (see --max-output-bytes)"))
        }
        outputBytes = Int(total)
    }

    /// Runs one call of the pipeline on either engine: `body` invokes `_call` (or each `_stage`);
    /// the per-call limits start over, and the outputs it wrote are kept, and checked, for
    /// ``records()``.
    func runCall(_ body: () throws(RuneError) -> Void) throws(RuneError) {
        beginCall()
        phase = .call
        defer {
            phase = .idle
            endInvocation()
        }
        try body()
        try finishCall()
        lastCallFinished = true
    }

    /// Checks what `_manifest()` returned: the address of a little-endian u32 length and that
    /// many bytes, which must equal the manifest section.
    func checkManifestBlob(at address: UInt32, in memory: some GuestMemory) throws(RuneError) {
        guard let header = memory.readBytes(address: UInt64(address), length: 4) else {
            throw .abi("'_manifest' returned an address outside the rune's memory")
        }
        let length = UInt64(header[0]) | UInt64(header[1]) << 8 | UInt64(header[2]) << 16 | UInt64(header[3]) << 24
        guard let blob = memory.readBytes(address: UInt64(address) + 4, length: length) else {
            throw .abi("the manifest '_manifest' returned runs past the end of memory")
        }
        guard blob == manifest.encoded() else {
            throw .abi("'_manifest()' disagrees with the '\(Manifest.sectionName)' section")
        }
    }

    /// The status a `_call` or `_stage` returned: 0, or the failure it reports.
    static func checkStatus(_ raw: UInt32?, of name: String) throws(RuneError) {
        guard let raw else { throw .abi("'\(name)' returned no status") }
        let status = Int32(bitPattern: raw)
        guard status == 0 else { throw .callFailed(status: status, RuneInstance.describe(status: status)) }
    }

    /// Runs each stage of `pipeline` once through `invokeStage`, timing each, in nanoseconds.
    func timeStages(of pipeline: PipelineDescription,
                    _ invokeStage: (Int) throws(RuneError) -> Void) throws(RuneError) -> (records: [SerialRecord], nanoseconds: [UInt64]) {
        var times: [UInt64] = []
        try runCall { () throws(RuneError) in
            for index in pipeline.stages.indices {
                let start = DispatchTime.now().uptimeNanoseconds
                try invokeStage(index)
                times.append(DispatchTime.now().uptimeNanoseconds - start)
            }
        }
        return (records(), times)
    }

    /// Ends a call: an output must receive all of its tensors or none.
    func finishCall() throws(RuneError) {
        for index in 0..<firstTensor.count - 1 {
            var present = 0
            for slot in firstTensor[index]..<firstTensor[index + 1] where received[slot].isPresent { present += 1 }
            let count = firstTensor[index + 1] - firstTensor[index]
            guard present == 0 || present == count else {
                throw .violation("output '\(manifest.outputs[index].name)' received only some of its \(count) tensors")
            }
        }
    }

    /// The records of the outputs that received all of their tensors in the last call, if it
    /// finished without an error (``runCall(_:)`` refuses a call that left an output half
    /// written); none otherwise.
    func records() -> [SerialRecord] {
        var records: [SerialRecord] = []
        guard lastCallFinished else { return records }
        for (index, output) in manifest.outputs.enumerated() {
            let tensors = received[firstTensor[index]..<firstTensor[index + 1]]
            guard !tensors.isEmpty, tensors.allSatisfy(\.isPresent) else { continue }
            records.append(SerialRecord(output: output.name, tensors: tensors.map(\.tensor)))
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
        try capabilityRead(memory: try memory(caller), index: arguments[0].u32, address: arguments[1].u32, length: arguments[2].u32)
    }

    /// `capability_read(index, address, length)` on either engine's memory.
    func capabilityRead(memory: some GuestMemory, index: UInt32, address: UInt32, length: UInt32) throws -> Int32 {
        guard phase == .call else { throw stop(.violation("'_manifest' called capability_read; it must not touch the host")) }
        guard Int(index) < capabilityBytes.count else {
            throw stop(.violation("it read capability \(index), but its manifest declares only \(manifest.capabilities.count) capabilit\(manifest.capabilities.count == 1 ? "y" : "ies")"))
        }
        guard Int(length) == capabilityBytes[Int(index)] else {
            let capability = manifest.capabilities[Int(index)]
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
        try outputWrite(memory: try memory(caller), index: arguments[0].u32, input: arguments[1].u32,
                        address: arguments[2].u32, length: arguments[3].u32)
    }

    /// `output_write(index, input, address, length)` on either engine's memory.
    func outputWrite(memory: some GuestMemory, index: UInt32, input: UInt32, address: UInt32, length: UInt32) throws -> Int32 {
        guard phase == .call else { throw stop(.violation("'_manifest' called output_write; it must not touch the host")) }
        guard Int(index) < manifest.outputs.count else {
            throw stop(.violation("it wrote output \(index), but its manifest declares only \(manifest.outputs.count) output\(manifest.outputs.count == 1 ? "" : "s")"))
        }
        // The manifest's output (name, tensor types) is looked at only for messages and strings.
        let first = firstTensor[Int(index)], inputCount = firstTensor[Int(index) + 1] - first
        guard Int(input) < inputCount else {
            let output = manifest.outputs[Int(index)]
            throw stop(.violation("it wrote tensor \(input) of output '\(output.name)', which takes \(output.inputs.count)"))
        }
        let slot = first + Int(input)
        guard Int(length) == tensorBytes[slot] else {
            let output = manifest.outputs[Int(index)], type = output.inputs[Int(input)]
            throw stop(.violation("it wrote \(length) bytes as tensor \(input) of output '\(output.name)', which is \(type) (\(type.byteCount) bytes)"))
        }
        guard UInt64(address) + UInt64(length) <= UInt64(memory.byteCount) else {
            throw stop(.violation("output_write's buffer lies outside the rune's memory"))
        }
        if !received[slot].isStrings {
            try chargeOutput(UInt64(length), what: "tensor \(input) of output '\(self.manifest.outputs[Int(index)].name)'")
            // In bounds (checked above): copied straight into the tensor's storage.
            memory.withUnsafeMutableBufferPointer(offset: UInt(address), count: Int(length)) { source in
                received[slot].store(UnsafeRawBufferPointer(source))
            }
            return 0
        }
        let output = manifest.outputs[Int(index)], type = output.inputs[Int(input)]
        guard let bytes = memory.readBytes(address: UInt64(address), length: UInt64(length)) else {
            throw stop(.violation("output_write's buffer lies outside the rune's memory"))
        }
        // Every string is located and the total checked against the limit before any is copied.
        var ranges: [(address: UInt64, size: UInt64)] = []
        ranges.reserveCapacity(type.elementCount)
        var total: UInt64 = 0
        for element in 0..<type.elementCount {
            let pointer = UInt64(bytes[element * 8]) | UInt64(bytes[element * 8 + 1]) << 8
                | UInt64(bytes[element * 8 + 2]) << 16 | UInt64(bytes[element * 8 + 3]) << 24
            let size = UInt64(bytes[element * 8 + 4]) | UInt64(bytes[element * 8 + 5]) << 8
                | UInt64(bytes[element * 8 + 6]) << 16 | UInt64(bytes[element * 8 + 7]) << 24
            guard pointer <= UInt64(memory.byteCount), size <= UInt64(memory.byteCount) - pointer else {
                throw stop(.violation("string \(element) of output '\(output.name)' lies outside the rune's memory"))
            }
            let (sum, overflow) = total.addingReportingOverflow(size)
            total = overflow ? .max : sum
            ranges.append((pointer, size))
        }
        try chargeOutput(total, what: "tensor \(input) of output '\(output.name)' (\(type.elementCount) strings)")
        var strings: [[UInt8]] = []
        strings.reserveCapacity(ranges.count)
        for (element, range) in ranges.enumerated() {
            guard let text = memory.readBytes(address: range.address, length: range.size) else {
                throw stop(.violation("string \(element) of output '\(output.name)' lies outside the rune's memory"))
            }
            strings.append(text)
        }
        received[slot].store(strings: strings)
        return 0
    }

    func log(caller: borrowing Caller, _ arguments: [Value]) throws {
        try log(memory: try memory(caller), level: arguments[0].u32, address: arguments[1].u32, length: arguments[2].u32)
    }

    /// `log(level, address, length)` on either engine's memory.
    func log(memory: some GuestMemory, level: UInt32, address: UInt32, length: UInt32) throws {
        guard logLines < limits.maxLogLinesPerCall else {
            droppedLogLines += 1
            return
        }
        logLines += 1
        let shown = min(UInt64(length), UInt64(RuneLimits.maxLogMessageBytes))
        guard UInt64(address) + UInt64(length) <= UInt64(memory.byteCount),
              let bytes = memory.readBytes(address: UInt64(address), length: shown) else {
            throw stop(.violation("a log message lies outside the rune's memory"))
        }
        var message = String(decoding: bytes, as: UTF8.self)
        if UInt64(length) > shown { message += " [cut: the message has \(length) bytes]" }
        logHandler(Int(level), message)
    }
}

extension Value {
    /// The i32 argument as unsigned (addresses, lengths, indices).
    var u32: UInt32 {
        if case .i32(let value) = self { return value }
        return 0
    }
}
