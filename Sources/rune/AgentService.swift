import Foundation
import RuneFiles
import RuneLink
import RuneManifest
import RuneRuntime

/// The SMP commands `rune agent` serves, those of RunicOS's `link/smp_server.c`: OS echo (0/0),
/// reset (0/5) and parameters (0/6); image state (1/0) and upload (1/1) into the slot that does
/// not run, resumable by SHA-256 and length; rune info with LibSaga's status (64/0) and input
/// (64/1). One lock makes requests from several clients take turns.
final class AgentService: @unchecked Sendable {
    let slots: AgentSlots
    let runner: AgentRunner
    let console: AgentConsole
    let configuration: HostConfiguration
    /// The board name it reports: `host-OS-ARCH`.
    let board: String
    private let started = ContinuousClock.now
    private let lock = NSLock()
    /// The SHA-256 of each slot's file, computed once per file.
    private var slotHashes: [Int: [UInt8]] = [:]

    /// The largest decoded SMP packet it takes (MCUmgr's `buf_size`): larger than RunicOS's
    /// 2 KiB, since a host has the memory and a TCP link the bandwidth.
    static let packetBytes = 16_384
    /// What it reports as its version, in RunicOS's place.
    static let version = "rune-agent 0.1.0"

    init(slots: AgentSlots, runner: AgentRunner, console: AgentConsole, configuration: HostConfiguration, board: String) {
        self.slots = slots
        self.runner = runner
        self.console = console
        self.configuration = configuration
        self.board = board
        runner.revert = { [weak self] reason in self?.revert(reason) }
    }

    /// Loads the rune of the last activated slot, as the agent starts (or is reset).
    func start() {
        lock.withLock {
            guard let record = slots.record else {
                runner.activate(nil, fresh: false)
                return
            }
            if let active = loadActive(record) {
                runner.activate(active, fresh: false)
                return
            }
            console.line("error: the rune in slot \(record.active == 0 ? "A" : "B") is missing or damaged")
            revertLocked("it is missing or damaged")
        }
    }

    private func loadActive(_ record: AgentSlots.Record) -> AgentRunner.Active? {
        guard let bytes = slots.rune(in: record.active), SHA256.hex(SHA256.hash(bytes)) == record.sha256,
              let rune = try? Rune(bytes: bytes) else { return nil }
        return AgentRunner.Active(rune: rune, slot: record.active, sha256: SHA256.hash(bytes))
    }

    private func revert(_ reason: String) { lock.withLock { revertLocked(reason) } }

    private func revertLocked(_ reason: String) {
        slotHashes = [:]
        guard let record = slots.revert(), let active = loadActive(record) else {
            runner.activate(nil, fresh: false)
            return
        }
        console.line("{\"event\":\"reverted\",\"slot\":\"\(record.active == 0 ? "A" : "B")\"}")
        runner.activate(active, fresh: false)
    }

    /// The capability kinds this agent serves: every kind the host runtime has, less --deny.
    var servedKinds: [CapabilityKind] { CapabilityKind.allCases.filter { !configuration.deniedKinds.contains($0) } }

    /// Answers one request.
    func handle(_ message: SMPMessage) -> SMPServer.Reply {
        lock.withLock {
            do {
                return .body(try dispatch(message))
            } catch let refusal as AgentRefusal {
                return .refused(refusal.returnCode, refusal.reason)
            } catch {
                return .refused(AgentRefusal.unknown, "\(error)")
            }
        }
    }

    private func dispatch(_ message: SMPMessage) throws -> [String: CBOR] {
        let write = message.operation == .write
        switch (message.group, message.command, write) {
        case (SMPGroup.os, 0, true):
            let fields = try AgentFields(message.body, ["d": .text])
            guard let text = fields.text("d") else { throw AgentRefusal(returnCode: AgentRefusal.invalidValue, reason: "echo needs \"d\"") }
            return ["r": .text(text)]
        case (SMPGroup.os, 5, true):
            _ = try AgentFields(message.body, [:])
            // As a device reboots: the last activated rune is loaded afresh.
            DispatchQueue.global().async { [self] in start() }
            return [:]
        case (SMPGroup.os, 6, false):
            _ = try AgentFields(message.body, [:])
            return ["buf_size": .unsigned(UInt64(Self.packetBytes)), "buf_count": .unsigned(1)]
        case (SMPGroup.image, 0, false):
            _ = try AgentFields(message.body, [:])
            return imageState()
        case (SMPGroup.image, 1, true):
            return try upload(try AgentFields(message.body, ["off": .unsigned, "data": .bytes, "len": .unsigned, "sha": .bytes,
                                                        "image": .unsigned, "upgrade": .bool]))
        case (SMPGroup.rune, 0, false):
            _ = try AgentFields(message.body, [:])
            return info()
        case (SMPGroup.rune, 1, true):
            let fields = try AgentFields(message.body, ["index": .unsigned, "data": .bytes, "off": .unsigned])
            guard let index = fields.unsigned("index"), let data = fields.bytes("data") else {
                throw AgentRefusal(returnCode: AgentRefusal.invalidValue, reason: "input needs \"index\" and \"data\"")
            }
            let offset = fields.unsigned("off") ?? 0
            guard index <= UInt64(Int32.max), offset <= UInt64(Int32.max) else {
                throw AgentRefusal(returnCode: AgentRefusal.invalidValue, reason: "no such capability, a chunk out of order, or more than its tensor holds")
            }
            try runner.feed(index: Int(index), offset: Int(offset), data: data)
            return [:]
        default:
            throw AgentRefusal(returnCode: AgentRefusal.notSupported, reason: "unknown group or command")
        }
    }

    private func hash(of slot: Int) -> [UInt8]? {
        if let known = slotHashes[slot] { return known }
        guard let bytes = slots.rune(in: slot) else { return nil }
        let digest = SHA256.hash(bytes)
        slotHashes[slot] = digest
        return digest
    }

    private func imageState() -> [String: CBOR] {
        let activeSlot = slots.record?.active
        var images: [CBOR] = []
        for slot in 0..<2 {
            guard let hash = hash(of: slot) else { continue }
            let isActive = slot == activeSlot
            images.append(.map(["image": .unsigned(0), "slot": .unsigned(UInt64(slot)), "version": .text("0.0.0"), "hash": .bytes(hash),
                                "bootable": .bool(true), "pending": .bool(false), "confirmed": .bool(isActive),
                                "active": .bool(isActive), "permanent": .bool(false)]))
        }
        return ["images": .array(images)]
    }

    private func upload(_ fields: AgentFields) throws -> [String: CBOR] {
        guard let offset = fields.unsigned("off"), let data = fields.bytes("data") else {
            throw AgentRefusal(returnCode: AgentRefusal.invalidValue, reason: "an upload chunk needs \"off\" and \"data\"")
        }
        var next: Int
        if offset == 0 {
            guard let length = fields.unsigned("len"), length > 0 else {
                throw AgentRefusal(returnCode: AgentRefusal.invalidValue, reason: "the first chunk needs the image length \"len\"")
            }
            guard length <= UInt64(RuneLimits.maxRuneBytes) else {
                throw AgentRefusal(returnCode: AgentRefusal.invalidValue, reason: "the image is \(length) bytes, more than the \(RuneLimits.maxRuneBytes) a rune may have")
            }
            guard let sha = fields.bytes("sha"), sha.count == 32 else {
                throw AgentRefusal(returnCode: AgentRefusal.invalidValue, reason: "the first chunk needs the image's full 32-byte SHA-256 \"sha\"")
            }
            if let image = fields.unsigned("image"), image != 0 { throw AgentRefusal(returnCode: AgentRefusal.invalidValue, reason: "there is only image 0") }
            if fields.bool("upgrade") == true {
                throw AgentRefusal(returnCode: AgentRefusal.notSupported, reason: "runes carry no version, so upgrade-only uploads cannot be checked")
            }
            slotHashes[slots.inactiveSlot] = nil
            next = try slots.begin(length: Int(length), sha256: sha)
            if next != 0 { return ["rc": .unsigned(0), "off": .unsigned(UInt64(next))] }
        } else {
            guard slots.session != nil else {
                throw AgentRefusal(returnCode: AgentRefusal.badState, reason: "no upload in progress: start again at offset 0")
            }
            // Not where the agent is: say where it is, as MCUmgr servers do.
            guard offset == UInt64(slots.received) else { return ["rc": .unsigned(0), "off": .unsigned(UInt64(slots.received))] }
        }
        next = try slots.write(offset: Int(offset), data: data)
        if next == slots.session?.length {
            let (slot, bytes) = try slots.finish()
            let active = try check(bytes, slot: slot)
            try slots.activateUpload()
            slotHashes = [:]
            runner.activate(active, fresh: true)
        }
        return ["rc": .unsigned(0), "off": .unsigned(UInt64(next))]
    }

    /// The uploaded rune, if it is one this agent can run: a rune whose capabilities it serves.
    private func check(_ bytes: [UInt8], slot: Int) throws -> AgentRunner.Active {
        do {
            let rune = try Rune(bytes: bytes)
            _ = try configuration.linkSources(for: rune.manifest) { _, capability in LinkFedCapability(capability: capability) }
            return AgentRunner.Active(rune: rune, slot: slot, sha256: SHA256.hash(bytes))
        } catch {
            slots.discardUpload()
            throw AgentRefusal(returnCode: AgentRefusal.invalidValue, reason: "\(error)")
        }
    }

    private func info() -> [String: CBOR] {
        let (active, health) = runner.snapshot()
        let elapsed = ContinuousClock.now - started
        let uptime = UInt64(elapsed.components.seconds) * 1000 + UInt64(elapsed.components.attoseconds / 1_000_000_000_000_000)
        var fields: [String: CBOR] = [
            "board": .text(board), "abi": .unsigned(0), "runicos": .text(Self.version), "kind": .text("agent"),
            "slot": .int(Int64(active?.slot ?? -1)), "rune": .bytes(active?.sha256 ?? [UInt8](repeating: 0, count: 32)),
            "calls": .unsigned(health.calls), "traps": .unsigned(health.traps), "uptime_ms": .unsigned(uptime),
            "caps": .array(servedKinds.map { .text($0.name) }),
        ]
        let stageNames = active?.rune.pipeline?.stages.map(\.name) ?? []
        var stages: [RuneHealth.Stage] = []
        if health.stagedCalls > 0, health.stageLast.count == stageNames.count {
            for (index, name) in stageNames.enumerated() {
                stages.append(RuneHealth.Stage(name: name, last: health.stageLast[index], mean: health.stageTotal[index] / health.stagedCalls))
            }
        }
        let saga = RuneHealth(timeUnit: "ns", lastCall: health.lastCall,
                              meanCall: health.runeCalls > 0 ? health.callTotal / health.runeCalls : nil, stages: stages,
                              memoryBytes: health.memory, memoryPeakBytes: health.memory == nil ? nil : health.memoryPeak)
        fields.merge(saga.fields) { _, new in new }
        return fields
    }
}
