import Dispatch
import Foundation
import RuneFiles
import RuneLink
import RuneManifest
import RuneRuntime

/// The rune `rune agent` runs: loaded on the host runtime, fed tensors streamed over the link
/// (one call per complete set, as RunicOS calls a host-fed rune) or called every `period` when
/// it feeds itself, its records and trap lines on the console, and LibSaga's numbers about it.
///
/// Calls run one at a time on their own queue, so requests are answered while a rune runs;
/// the state requests read is behind `lock`, which is never held while rune code runs.
final class AgentRunner: @unchecked Sendable {
    /// What is activated: the rune, its slot and digest.
    struct Active {
        var rune: Rune
        var slot: Int
        var sha256: [UInt8]
    }

    /// LibSaga's counters and times (nanoseconds) about the running rune.
    struct Health {
        var calls: UInt64 = 0       // since the agent started, like RunicOS's
        var traps: UInt64 = 0
        var runeCalls: UInt64 = 0   // since the rune was loaded
        var lastCall: UInt64?
        var callTotal: UInt64 = 0
        var stageLast: [UInt64] = []
        var stageTotal: [UInt64] = []
        var stagedCalls: UInt64 = 0
        var memory: UInt64?
        var memoryPeak: UInt64 = 0
    }

    private let console: AgentConsole
    private let configuration: HostConfiguration
    private let engine: RuneEngine
    private let period: Double
    /// Called (on the call queue) when a newly activated rune fails to load or its first call
    /// fails: the agent reverts to the rune before it.
    var revert: (_ reason: String) -> Void = { _ in }

    private let lock = NSLock()
    private let calls = DispatchQueue(label: "rune.agent.calls")
    // Under `lock`:
    private(set) var active: Active?
    private var generation = 0
    private var health = Health()
    private var fresh = false           // activated by an upload, first call not yet made
    private var assembling: [[UInt8]] = []
    private var received: [Int] = []
    private var whole = Set<Int>()
    private var pendingCalls = 0
    // On `calls` only:
    private var instance: (any RunnableRune)?
    private var instanceGeneration = -1
    private var fedSources: [Int: LinkFedCapability] = [:]

    /// Calls waiting for the rune before a new set of inputs is refused: the host gets told
    /// rather than the agent queueing without bound.
    static let maximumPendingCalls = 8

    init(console: AgentConsole, configuration: HostConfiguration, engine: RuneEngine, period: Double) {
        self.console = console
        self.configuration = configuration
        self.engine = engine
        self.period = period
    }

    /// A snapshot for the status request.
    func snapshot() -> (active: Active?, health: Health) { lock.withLock { (active, health) } }

    /// Runs `rune` from `slot` from now on (nil: none). `fresh` when an upload activated it:
    /// then a failure to load or a failed first call reverts it.
    func activate(_ next: Active?, fresh: Bool) {
        let current: Int = lock.withLock {
            generation += 1
            active = next
            self.fresh = fresh && next != nil
            let capabilities = next?.rune.manifest.capabilities ?? []
            assembling = capabilities.map { [UInt8](repeating: 0, count: $0.tensor.byteCount) }
            received = Array(repeating: 0, count: capabilities.count)
            whole = []
            health.runeCalls = 0
            health.lastCall = nil
            health.callTotal = 0
            health.stageLast = []
            health.stageTotal = []
            health.stagedCalls = 0
            health.memory = nil
            health.memoryPeak = 0
            return generation
        }
        calls.async { [self] in
            guard ensureInstance(generation: current) else { return }
            if let next, Self.feedsItself(next.rune.manifest) { scheduleSelfFedCall(generation: current, after: 0) }
        }
    }

    /// Whether the rune reads only what the agent provides by itself (RAND).
    static func feedsItself(_ manifest: Manifest) -> Bool { manifest.capabilities.allSatisfy { $0.kindID == .rand } }

    /// Bytes `[offset, offset + data.count)` of the tensor of capability `index`, in order
    /// (offset 0 starts it again). Once every host-fed tensor is whole, a call is queued.
    /// The refusal in words when the chunk does not fit.
    func feed(index: Int, offset: Int, data: [UInt8]) throws(AgentRefusal) {
        let refusal = AgentRefusal(returnCode: AgentRefusal.invalidValue,
                                   reason: "no such capability, a chunk out of order, or more than its tensor holds")
        var set: [Int: [UInt8]]?
        var current = 0
        lock.lock()
        defer { lock.unlock() }
        do {
            guard let active, index >= 0, index < active.rune.manifest.capabilities.count,
                  active.rune.manifest.capabilities[index].kindID != .rand else { throw refusal }
            let bytes = assembling[index].count
            guard offset == 0 || offset == received[index], offset <= bytes, data.count <= bytes - offset else { throw refusal }
            assembling[index].replaceSubrange(offset..<(offset + data.count), with: data)
            received[index] = offset + data.count
            guard received[index] == bytes else { return }
            received[index] = 0
            whole.insert(index)
            let fed = active.rune.manifest.capabilities.indices.filter { active.rune.manifest.capabilities[$0].kindID != .rand }
            guard Set(fed).isSubset(of: whole) else { return }
            guard pendingCalls < Self.maximumPendingCalls else {
                throw AgentRefusal(returnCode: AgentRefusal.badState, reason: "\(Self.maximumPendingCalls) calls are already waiting for the rune")
            }
            whole = []
            pendingCalls += 1
            set = Dictionary(uniqueKeysWithValues: fed.map { ($0, assembling[$0]) })
            current = generation
        }
        if let set {
            let current = current
            calls.async { [self] in
                lock.withLock { pendingCalls -= 1 }
                call(generation: current, tensors: set)
            }
        }
    }

    private func scheduleSelfFedCall(generation scheduled: Int, after delay: Double) {
        calls.asyncAfter(deadline: .now() + delay) { [self] in
            guard lock.withLock({ generation == scheduled }) else { return }
            call(generation: scheduled, tensors: [:])
            scheduleSelfFedCall(generation: scheduled, after: period)
        }
    }

    /// The instance of the active rune (made now if the last one trapped or the rune changed);
    /// false when there is none. A rune that cannot be instantiated says why on the console and,
    /// if an upload just activated it, is reverted.
    private func ensureInstance(generation wanted: Int) -> Bool {
        guard let (active, current, isFresh) = lock.withLock({ self.active.map { ($0, generation, fresh) } }), current == wanted else { return false }
        if instanceGeneration == wanted, instance != nil { return true }
        instance = nil
        fedSources = [:]
        do {
            var fed: [Int: LinkFedCapability] = [:]
            let sources = try configuration.linkSources(for: active.rune.manifest) { index, capability in
                let source = LinkFedCapability(capability: capability)
                fed[index] = source
                return source
            }
            let made = try engine.instantiate(active.rune, sources: sources, configuration: configuration)
            made.logHandler = { [console] level, message in
                let names = [1: "error", 2: "warning", 3: "info", 4: "debug"]
                console.line("[\(names[level] ?? "log")] \(message)")
            }
            made.noteHandler = { [console] message in console.line("note: \(message)") }
            instance = made
            fedSources = fed
            instanceGeneration = wanted
            lock.withLock { recordMemory(made.memoryBytes) }
            return true
        } catch {
            console.line("error: the rune in slot \(active.slot == 0 ? "A" : "B") cannot be loaded: \(error)")
            if isFresh { revert("it cannot be loaded: \(error)") }
            return false
        }
    }

    private func recordMemory(_ bytes: Int) {
        health.memory = UInt64(bytes)
        health.memoryPeak = max(health.memoryPeak, UInt64(bytes))
    }

    /// One call with `tensors` fed, its records or trap line on the console, then the `called`
    /// event a host-fed call ends with.
    private func call(generation wanted: Int, tensors: [Int: [UInt8]]) {
        guard ensureInstance(generation: wanted), let instance, let active = lock.withLock({ self.active }) else { return }
        for (index, tensor) in tensors { fedSources[index]?.tensor = tensor }
        let start = DispatchTime.now().uptimeNanoseconds
        var stageTimes: [UInt64] = []
        var failure: RuneError?
        var records: [SerialRecord] = []
        do {
            if instance.canTimeStages {
                (records, stageTimes) = try instance.runTimingStages()
            } else {
                records = try instance.run()
            }
        } catch {
            failure = error
        }
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        for record in records { console.line(String(decoding: record.json, as: UTF8.self)) }
        let (runeCalls, wasFresh): (UInt64, Bool) = lock.withLock {
            health.calls += 1
            health.runeCalls += 1
            health.lastCall = elapsed
            health.callTotal &+= elapsed
            if !stageTimes.isEmpty {
                if health.stageTotal.count != stageTimes.count { health.stageTotal = Array(repeating: 0, count: stageTimes.count) }
                health.stageLast = stageTimes
                for (index, time) in stageTimes.enumerated() { health.stageTotal[index] &+= time }
                health.stagedCalls += 1
            }
            recordMemory(instance.memoryBytes)
            if failure != nil { health.traps += 1 }
            let wasFresh = fresh
            fresh = false
            return (health.runeCalls, wasFresh)
        }
        if let failure {
            console.line(Self.trapLine(failure, slot: active.slot, rune: active.sha256))
            // A trapped instance is not reused: the next call gets a fresh one.
            self.instance = nil
            if wasFresh { revert("its first call failed: \(failure)") }
        }
        if !tensors.isEmpty { console.line("{\"event\":\"called\",\"calls\":\(runeCalls)}") }
    }

    /// RunicOS's trap line: `{"error":"trap","reason":...,"function":"_call","slot":...,"rune":...}`,
    /// the reason worded as the device words it (a trap's own words; other failures in full).
    static func trapLine(_ error: RuneError, slot: Int, rune: [UInt8]) -> String {
        var reason = error.description
        if case .trap(let message) = error { reason = message }
        return "{\"error\":\"trap\",\"reason\":\(jsonString(reason)),\"function\":\"_call\",\"slot\":\"\(slot == 0 ? "A" : "B")\",\"rune\":\"\(SHA256.hex(Array(rune.prefix(8))))\"}"
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? String(decoding: encoder.encode(text), as: UTF8.self)) ?? "\"\""
    }
}
