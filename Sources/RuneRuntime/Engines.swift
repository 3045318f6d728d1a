import Dispatch
import RuneAOT
import RuneManifest
import WasmKit

/// The engines that run a rune: WasmKit's interpreter, or native code translated ahead of time
/// by RuneAOT. Both give the rune the same host (HostState) and must print the same bytes.
public enum RuneEngine: String, CaseIterable, Sendable {
    case interpreter
    case aot

    /// Instantiates `rune` on this engine with the capabilities `configuration` grants.
    public func instantiate(_ rune: Rune, configuration: HostConfiguration) throws(RuneError) -> any RunnableRune {
        switch self {
        case .interpreter: return try RuneInstance(rune: rune, configuration: configuration)
        case .aot:
            try RuneInstance.checkMemory(rune, limits: configuration.limits)
            return try AOTRuneInstance(rune: rune, sources: try configuration.makeSources(for: rune.manifest),
                                       limits: configuration.limits, cache: configuration.nativeCodeCache)
        }
    }

    /// Instantiates `rune` on this engine with `sources` for its capabilities, in manifest order
    /// (a host that reads them its own way: `rune agent` feeds them from its link), within
    /// `configuration`'s limits and native code cache.
    public func instantiate(_ rune: Rune, sources: [any CapabilitySource], configuration: HostConfiguration) throws(RuneError) -> any RunnableRune {
        switch self {
        case .interpreter: return try RuneInstance(rune: rune, sources: sources, limits: configuration.limits)
        case .aot:
            try HostConfiguration.checkManifest(rune.manifest)
            try RuneInstance.checkMemory(rune, limits: configuration.limits)
            return try AOTRuneInstance(rune: rune, sources: sources, limits: configuration.limits, cache: configuration.nativeCodeCache)
        }
    }
}

/// What `rune run` needs from an instantiated rune, whichever engine runs it.
public protocol RunnableRune: AnyObject {
    var logHandler: (_ level: Int, _ message: String) -> Void { get set }
    var noteHandler: (_ message: String) -> Void { get set }
    var inputWarnings: [String] { get }
    var canTimeStages: Bool { get }
    /// Runs the pipeline once and returns the output records it produced.
    func run() throws(RuneError) -> [SerialRecord]
    /// Runs the pipeline once, with every check `run()` makes, but builds no records: its
    /// outputs stay in the host until the next call, for ``records()``. For hosts that print
    /// only some calls' outputs (benchmarks), so that the others cost no decoding.
    func callPipeline() throws(RuneError)
    /// The records of the last call, if it finished without an error (else, and before the
    /// first call, none).
    func records() -> [SerialRecord]
    func runTimingStages() throws(RuneError) -> (records: [SerialRecord], nanoseconds: [UInt64])
    /// The size of the rune's linear memory now, in bytes (it only grows).
    var memoryBytes: Int { get }
}

extension RuneInstance: RunnableRune {}

/// The rune's linear memory as the host functions see it.
protocol GuestMemory {
    var byteCount: Int { get }
    func withUnsafeMutableBufferPointer<T>(offset: UInt, count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> T) rethrows -> T
}

extension GuestMemory {
    /// Bytes of memory, or nil when the range is outside it.
    func readBytes(address: UInt64, length: UInt64) -> [UInt8]? {
        let size = UInt64(byteCount)
        guard address <= size, length <= size - address else { return nil }
        return withUnsafeMutableBufferPointer(offset: UInt(address), count: Int(length)) { Array($0) }
    }
}

extension Memory: GuestMemory {}

extension AOTMemory: GuestMemory {
    func withUnsafeMutableBufferPointer<T>(offset: UInt, count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> T) rethrows -> T {
        try withUnsafeMutableBytes { bytes in try body(UnsafeMutableRawBufferPointer(rebasing: bytes[Int(offset)..<Int(offset) + count])) }
    }
}

/// A rune running as native code (RuneAOT), with the same checks and host as `RuneInstance`.
public final class AOTRuneInstance: RunnableRune {
    public let rune: Rune
    private let state: HostState
    private let store = AOTStore()
    private let instance: AOTInstance
    private let memory: AOTMemory
    /// `_call`, looked up once, when it has the ABI's type `() -> i32`: a call then allocates
    /// nothing to invoke it. (Any other type goes the general way, and fails as it always did.)
    private let callEntry: AOTEntryPoint?
    private let watchdog: Watchdog
    /// Seconds spent translating the rune to native code (0 when it came from the cache).
    public let translationSeconds: Double
    /// Whether the native code was translated now or read from the cache.
    public let nativeCodeOrigin: AOTModule.Origin
    /// Seconds from the start of loading to a ready instance (native code, instantiation and
    /// the manifest check).
    public private(set) var loadSeconds: Double = 0
    /// Problems with the cache that did not stop the run, for the host to print as warnings.
    public let cacheWarnings: [String]

    public var logHandler: (_ level: Int, _ message: String) -> Void {
        get { state.logHandler }
        set { state.logHandler = newValue }
    }

    public var noteHandler: (_ message: String) -> Void {
        get { state.noteHandler }
        set { state.noteHandler = newValue }
    }

    /// Instantiates `rune` as native code. Every call runs under `limits.timeoutSeconds`; the
    /// other limits are the host's, as on the interpreter.
    /// With a `cache`, native code is read from it when a verified entry exists and stored in
    /// it otherwise.
    public init(rune: Rune, sources: [any CapabilitySource], limits: RunLimits = RunLimits(),
                cache: NativeCodeCache? = nil) throws(RuneError) {
        let start = ContinuousClock.now
        guard sources.count == rune.manifest.capabilities.count else {
            throw .capabilityUnavailable("the rune declares \(rune.manifest.capabilities.count) capabilities but \(sources.count) sources were given")
        }
        self.rune = rune
        let state = HostState(manifest: rune.manifest, sources: sources, limits: limits)
        self.state = state
        let store = self.store
        store.maxMemoryPages = UInt64(limits.maxMemoryBytes / 65536)
        watchdog = Watchdog(timeoutSeconds: limits.timeoutSeconds, arm: { store.clearInterrupt() },
                            stop: { store.interrupt() })
        let module: AOTModule
        do {
            module = try AOTModule(bytes: rune.bytes, cache: cache)
        } catch {
            throw .malformed("it cannot be translated to native code: \(error)")
        }
        translationSeconds = module.translationSeconds
        nativeCodeOrigin = module.origin
        cacheWarnings = module.cacheWarnings
        // The host functions reach the rune's memory once it exists.
        final class MemoryBox { @exclusivity(unchecked) var memory: AOTMemory? }
        let box = MemoryBox()
        func guest() throws -> AOTMemory {
            guard let memory = box.memory else { throw RuneError.abi("host function called without the rune's memory") }
            return memory
        }
        // Raw host functions: the thunk's values straight in and out, no arrays per call (sine
        // calls two of them per `_call`, which is itself a fraction of a microsecond).
        func i32(_ value: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: value) }
        let functions: [String: AOTFunction] = [
            "capability_read": .host(Rune.imports["capability_read"]!) { values in
                let status = try state.capabilityRead(memory: try guest(), index: i32(values[0]), address: i32(values[1]), length: i32(values[2]))
                values[0] = UInt64(UInt32(bitPattern: status))
            },
            "output_write": .host(Rune.imports["output_write"]!) { values in
                let status = try state.outputWrite(memory: try guest(), index: i32(values[0]), input: i32(values[1]),
                                                   address: i32(values[2]), length: i32(values[3]))
                values[0] = UInt64(UInt32(bitPattern: status))
            },
            "log": .host(Rune.imports["log"]!) { values in
                try state.log(memory: try guest(), level: i32(values[0]), address: i32(values[1]), length: i32(values[2]))
            },
        ]
        let watchdog = self.watchdog
        do {
            instance = try watchdog.run {
                try AOTInstance(module: module, store: store) { moduleName, name in
                    moduleName == "rune" ? functions[name].map { .function($0) } : nil
                }
            }
        } catch is Watchdog.Expired {
            throw .trap(watchdog.message("its start function"))
        } catch let error as AOTTrap {
            if let pending = state.pendingError { throw pending }
            throw .trap(error.reason)
        } catch {
            throw .abi("it cannot be instantiated: \(error)")
        }
        guard case .memory(let memory)? = instance.export("memory") else { throw .abi("it lacks 'memory', '_manifest' or '_call'") }
        self.memory = memory
        box.memory = memory
        let callEntry = try? instance.entryPoint("_call")
        self.callEntry = callEntry?.type == FunctionType(parameters: [], results: [.i32]) ? callEntry : nil
        try checkManifestFunction()
        let elapsed = ContinuousClock.now - start
        loadSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// `_manifest()` must return the same bytes as the manifest section.
    private func checkManifestFunction() throws(RuneError) {
        state.phase = .manifest
        state.beginInvocation()
        defer {
            state.phase = .idle
            state.endInvocation()
        }
        let result: [AOTValue]
        do {
            result = try watchdog.run { try instance.invoke("_manifest", []) }
        } catch is Watchdog.Expired {
            throw .trap(watchdog.message("the call to _manifest"))
        } catch {
            if let pending = state.pendingError { throw pending }
            if let trap = error as? AOTTrap { throw .trap("in _manifest: \(trap.reason)") }
            throw .trap("in _manifest: \(error)")
        }
        guard case .i32(let address)? = result.first else { throw .abi("'_manifest' returned no address") }
        try state.checkManifestBlob(at: address, in: memory)
    }

    /// Runs the pipeline once and returns the output records it produced.
    public func run() throws(RuneError) -> [SerialRecord] {
        try callPipeline()
        return state.records()
    }

    /// Runs the pipeline once, with every check ``run()`` makes, but builds no records; the
    /// outputs stay in the host for ``records()`` until the next call.
    public func callPipeline() throws(RuneError) {
        try state.runCall { () throws(RuneError) in
            if let callEntry { try invoke(callEntry) } else { try invoke("_call", [], name: "_call") }
        }
    }

    /// The records of the last call, if it finished without an error (else, and before the
    /// first call, none).
    public func records() -> [SerialRecord] { state.records() }

    /// `_call()` through its entry point: what `invoke` does, without arrays or a lookup by name.
    private func invoke(_ callEntry: AOTEntryPoint) throws(RuneError) {
        do {
            try watchdog.run { try callEntry.invoke() }
        } catch is Watchdog.Expired {
            throw .trap(watchdog.message("the call to _call"))
        } catch {
            if let pending = state.pendingError { throw pending }
            if let trap = error as? AOTTrap { throw .trap(trap.reason) }
            throw .trap("\(error)")
        }
        if let pending = state.pendingError { throw pending }
        try HostState.checkStatus(UInt32(truncatingIfNeeded: callEntry.values[0]), of: "_call")
    }

    public private(set) lazy var canTimeStages: Bool = {
        guard rune.pipeline != nil, case .function(let stage)? = instance.export("_stage") else { return false }
        return stage.type == FunctionType(parameters: [.i32], results: [.i32])
    }()

    public func runTimingStages() throws(RuneError) -> (records: [SerialRecord], nanoseconds: [UInt64]) {
        guard canTimeStages, let pipeline = rune.pipeline else {
            throw .abi("it cannot run its stages one at a time (no '_stage' export or 'rune.pipeline' section)")
        }
        return try state.timeStages(of: pipeline) { (index) throws(RuneError) in
            try invoke("_stage", [.i32(UInt32(index))], name: "_stage(\(index))")
        }
    }

    private func invoke(_ function: String, _ arguments: [AOTValue], name: String) throws(RuneError) {
        let result: [AOTValue]
        do {
            result = try watchdog.run { try instance.invoke(function, arguments) }
        } catch is Watchdog.Expired {
            throw .trap(watchdog.message("the call to \(name)"))
        } catch {
            if let pending = state.pendingError { throw pending }
            if let trap = error as? AOTTrap { throw .trap(trap.reason) }
            throw .trap("\(error)")
        }
        if let pending = state.pendingError { throw pending }
        guard case .i32(let raw)? = result.first else { try HostState.checkStatus(nil, of: name); return }
        try HostState.checkStatus(raw, of: name)
    }

    public var inputWarnings: [String] { state.sources.compactMap(\.warning) }

    public var memoryBytes: Int { memory.byteCount }
}

extension AOTValue {
    /// The i32 argument as unsigned (addresses, lengths, indices).
    var u32: UInt32 {
        if case .i32(let value) = self { return value }
        return 0
    }
}
