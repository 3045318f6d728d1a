import Dispatch
import RuneManifest
@_spi(Fuzzing) import WasmKit

/// A rune instantiated on this host with its capabilities granted, ready to be called.
///
/// Instantiation checks, before any rune code runs, that every capability the manifest asks for
/// is provided and allowed. Then `_manifest()` is called and must agree with the manifest
/// section. The rune gets only what it declared: reading another capability, or writing an
/// output it did not declare, stops the call.
public final class RuneInstance {
    public let rune: Rune
    private let store: Store
    private let instance: Instance
    private let memory: Memory
    private let call: Function
    private let stage: Function?
    private let state: HostState
    private let watchdog: Watchdog

    /// Called with each log message the rune writes.
    public var logHandler: (_ level: Int, _ message: String) -> Void {
        get { state.logHandler }
        set { state.logHandler = newValue }
    }

    /// Called with what the host says about a call: how many log lines it dropped.
    public var noteHandler: (_ message: String) -> Void {
        get { state.noteHandler }
        set { state.noteHandler = newValue }
    }

    /// Grants the rune's capabilities from the files and policy in `configuration`, within its
    /// limits.
    public convenience init(rune: Rune, configuration: HostConfiguration) throws(RuneError) {
        try HostConfiguration.checkManifest(rune.manifest)
        try RuneInstance.checkMemory(rune, limits: configuration.limits)
        try self.init(rune: rune, sources: try configuration.makeSources(for: rune.manifest), limits: configuration.limits)
    }

    /// Grants each capability the rune declares from `sources`, in manifest order (for hosts
    /// that read sensors their own way, and for tests).
    ///
    /// Before any rune code runs, the manifest is checked (known output kinds, capability
    /// arguments within ``RuneLimits``) and so is the initial memory against
    /// `limits.maxMemoryBytes`. The start function, `_manifest()` and every call run under
    /// `limits.timeoutSeconds`.
    public init(rune: Rune, sources: [any CapabilitySource], limits: RunLimits = RunLimits()) throws(RuneError) {
        guard sources.count == rune.manifest.capabilities.count else {
            throw .capabilityUnavailable("the rune declares \(rune.manifest.capabilities.count) capabilities but \(sources.count) sources were given")
        }
        try HostConfiguration.checkManifest(rune.manifest)
        try RuneInstance.checkMemory(rune, limits: limits)
        self.rune = rune
        state = HostState(manifest: rune.manifest, sources: sources, limits: limits)

        // Fuel metering costs interpreter time, so it is on only when there is a deadline.
        let engine = Engine(configuration: EngineConfiguration(fuelMetering: limits.timeoutSeconds > 0))
        let store = Store(engine: engine)
        self.store = store
        store.resourceLimiter = RuneResourceLimiter(maxMemoryBytes: limits.maxMemoryBytes)
        let watchdog = Watchdog(store: store, timeoutSeconds: limits.timeoutSeconds)
        self.watchdog = watchdog
        var imports = Imports()
        let state = self.state
        imports.define(module: "rune", name: "capability_read", Function(store: store, type: Rune.imports["capability_read"]!) { caller, arguments in
            [.i32(UInt32(bitPattern: try state.capabilityRead(caller: caller, arguments)))]
        })
        imports.define(module: "rune", name: "output_write", Function(store: store, type: Rune.imports["output_write"]!) { caller, arguments in
            [.i32(UInt32(bitPattern: try state.outputWrite(caller: caller, arguments)))]
        })
        imports.define(module: "rune", name: "log", Function(store: store, type: Rune.imports["log"]!) { caller, arguments in
            try state.log(caller: caller, arguments)
            return []
        })
        do {
            // Instantiation runs the module's start function, if it has one: under the deadline too.
            instance = try watchdog.run { try rune.module.instantiate(store: store, imports: imports) }
        } catch is Watchdog.Expired {
            throw .trap(watchdog.message("its start function"))
        } catch {
            if let pending = state.pendingError { throw pending }
            throw .abi("it cannot be instantiated: \(Self.describeTrap(error))")
        }
        guard let memory = instance.exports[memory: "memory"],
              let manifestFunction = instance.exports[function: "_manifest"],
              let call = instance.exports[function: "_call"] else {
            throw .abi("it lacks 'memory', '_manifest' or '_call'")
        }
        guard manifestFunction.type == FunctionType(parameters: [], results: [.i32]),
              call.type == FunctionType(parameters: [], results: [.i32]) else {
            throw .abi("'_manifest' and '_call' must take no parameters and return an i32")
        }
        self.memory = memory
        self.call = call
        let stage = instance.exports[function: "_stage"]
        self.stage = stage?.type == FunctionType(parameters: [.i32], results: [.i32]) ? stage : nil
        try checkManifestFunction(manifestFunction)
    }

    /// Refuses a rune whose memory starts larger than `limits.maxMemoryBytes`.
    static func checkMemory(_ rune: Rune, limits: RunLimits) throws(RuneError) {
        guard let initial = rune.initialMemoryBytes else { return }
        guard initial <= UInt64(limits.maxMemoryBytes) else {
            throw .limit("its memory starts at \(initial) bytes, over the limit of \(limits.maxMemoryBytes) bytes (see --max-memory)")
        }
    }

    /// `_manifest()` must return the same bytes as the manifest section.
    private func checkManifestFunction(_ function: Function) throws(RuneError) {
        state.phase = .manifest
        state.beginInvocation()
        defer {
            state.phase = .idle
            state.endInvocation()
        }
        let result: [Value]
        do {
            result = try watchdog.run { try function.invoke([]) }
        } catch is Watchdog.Expired {
            throw .trap(watchdog.message("the call to _manifest"))
        } catch {
            throw state.pendingError ?? .trap("in _manifest: \(Self.describeTrap(error))")
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
        try state.runCall { () throws(RuneError) in try invoke(call, [], name: "_call") }
    }

    /// The records of the last call, if it finished without an error (else, and before the
    /// first call, none).
    public func records() -> [SerialRecord] { state.records() }

    /// Whether the rune can run its stages one at a time (`_stage` and a pipeline description).
    public var canTimeStages: Bool { stage != nil && rune.pipeline != nil }

    /// Runs the pipeline once, one stage at a time, and returns the records and the time each
    /// stage took, in nanoseconds, in stage order.
    public func runTimingStages() throws(RuneError) -> (records: [SerialRecord], nanoseconds: [UInt64]) {
        guard let stage, let pipeline = rune.pipeline else {
            throw .abi("it cannot run its stages one at a time (no '_stage' export or 'rune.pipeline' section)")
        }
        return try state.timeStages(of: pipeline) { (index) throws(RuneError) in
            try invoke(stage, [.i32(UInt32(index))], name: "_stage(\(index))")
        }
    }

    private func invoke(_ function: Function, _ arguments: [Value], name: String) throws(RuneError) {
        let result: [Value]
        do {
            result = try watchdog.run { try function.invoke(arguments) }
        } catch is Watchdog.Expired {
            throw .trap(watchdog.message("the call to \(name)"))
        } catch {
            if let pending = state.pendingError { throw pending }
            throw .trap(Self.describeTrap(error))
        }
        if let pending = state.pendingError { throw pending }
        guard case .i32(let raw)? = result.first else { try HostState.checkStatus(nil, of: name); return }
        try HostState.checkStatus(raw, of: name)
    }

    /// Warnings about the inputs (padding, resampling), once per source.
    public var inputWarnings: [String] { state.sources.compactMap(\.warning) }

    /// The size of the rune's linear memory now, in bytes.
    public var memoryBytes: Int { memory.byteCount }

    static func describe(status: Int32) -> String {
        switch status {
        case -1: "a capability could not be read"
        case -2: "an output was refused"
        case -3: "a processing block rejected its input"
        case -4: "a model kernel failed"
        case -5: "a host function got an argument out of range"
        default: "unknown status"
        }
    }

    static func describeTrap(_ error: Error) -> String {
        let text = "\(error)"
        // WasmKit prints "Trap: <reason>" followed by a backtrace; the reason is what users need.
        let firstLine = text.split(separator: "\n").first.map(String.init) ?? text
        return firstLine.hasPrefix("Trap: ") ? String(firstLine.dropFirst(6)) : firstLine
    }
}
