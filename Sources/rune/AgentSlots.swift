import Foundation
import RuneFiles
import RuneManifest

/// Why the agent refused a request: MCUmgr's return code and the reason in words.
struct AgentRefusal: Error {
    var returnCode: Int64
    var reason: String

    static let invalidValue: Int64 = 3, badState: Int64 = 6, notSupported: Int64 = 8, corrupt: Int64 = 9, unknown: Int64 = 1
}

/// `rune agent`'s state folder: runes in two slots (`slot-a.rune`, `slot-b.rune`), the
/// activation record (`active.json`) saying which one runs, and at most one upload session
/// (`upload.json` and the bytes so far in `upload.part`).
///
/// An upload only ever writes the slot that does not run, through the part file; a verified
/// rune is renamed into its slot and only then is the record replaced, by rename too. A link
/// dropped or an agent killed at any point therefore leaves the record naming a whole rune that
/// was activated before, and an interrupted session that resumes where its bytes end.
final class AgentSlots {
    /// Which slot runs (0 = A, 1 = B), the rune's SHA-256 there, and the slot before it.
    struct Record: Codable, Equatable {
        var sequence: UInt64
        var active: Int
        var sha256: String
        var previous: Int?
    }

    /// An upload in progress: into which slot, how long, and its announced SHA-256.
    struct Session: Codable, Equatable {
        var slot: Int
        var length: Int
        var sha256: String
    }

    let folder: URL
    private(set) var record: Record?
    private(set) var session: Session?
    /// Bytes of the session already in the part file: where it continues.
    private(set) var received = 0

    init(folder: URL) throws {
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        record = Self.readJSON(Record.self, at: recordFile)
        if let found = record, !(0...1).contains(found.active) || found.previous.map({ !(0...1).contains($0) }) == true {
            record = nil
        }
        session = Self.readJSON(Session.self, at: sessionFile)
        if let session {
            let size = (try? FileManager.default.attributesOfItem(atPath: partFile.path)[.size] as? Int) ?? nil
            if let size, size <= session.length, (0...1).contains(session.slot) {
                received = size
            } else {
                discardSession()
            }
        }
    }

    private var recordFile: URL { folder.appendingPathComponent("active.json") }
    private var sessionFile: URL { folder.appendingPathComponent("upload.json") }
    private var partFile: URL { folder.appendingPathComponent("upload.part") }

    func slotFile(_ slot: Int) -> URL { folder.appendingPathComponent(slot == 0 ? "slot-a.rune" : "slot-b.rune") }

    /// The `.rune` in `slot`, if there is one that can be read.
    func rune(in slot: Int) -> [UInt8]? {
        try? BoundedFile.read(slotFile(slot).path, limit: RuneLimits.maxRuneBytes, timeout: RuneLimits.defaultTimeoutSeconds)
    }

    /// The slot an upload writes: the one that does not run.
    var inactiveSlot: Int { record.map { 1 - $0.active } ?? 0 }

    /// Opens a session for `length` bytes with SHA-256 `sha256`, or resumes the one open for
    /// the same rune; returns the offset it continues from.
    func begin(length: Int, sha256: [UInt8]) throws(AgentRefusal) -> Int {
        let hex = SHA256.hex(sha256)
        if let session, session.length == length, session.sha256 == hex, session.slot == inactiveSlot { return received }
        discardSession()
        let opened = Session(slot: inactiveSlot, length: length, sha256: hex)
        do {
            try Data().write(to: partFile)
            try Self.replace(sessionFile, with: try JSONEncoder().encode(opened))
        } catch {
            throw AgentRefusal(returnCode: AgentRefusal.unknown, reason: "the state folder cannot be written: \(error.localizedDescription)")
        }
        session = opened
        received = 0
        return 0
    }

    /// Appends `data` at `offset`, which must be where the session stands; returns the offset
    /// after it.
    func write(offset: Int, data: [UInt8]) throws(AgentRefusal) -> Int {
        guard let session else { throw AgentRefusal(returnCode: AgentRefusal.badState, reason: "no upload in progress: start again at offset 0") }
        guard offset == received, data.count <= session.length - offset else {
            throw AgentRefusal(returnCode: AgentRefusal.invalidValue, reason: "the chunk does not fit the upload (offset, length or image size)")
        }
        do {
            let handle = try FileHandle(forWritingTo: partFile)
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(offset))
            try handle.write(contentsOf: data)
            try handle.truncate(atOffset: UInt64(offset + data.count))
        } catch {
            throw AgentRefusal(returnCode: AgentRefusal.unknown, reason: "writing the upload failed: \(error.localizedDescription)")
        }
        received = offset + data.count
        return received
    }

    /// The whole upload, once every byte is in, checked against its SHA-256; the session is
    /// closed either way.
    func finish() throws(AgentRefusal) -> (slot: Int, bytes: [UInt8]) {
        guard let session, received == session.length else {
            throw AgentRefusal(returnCode: AgentRefusal.badState, reason: "the upload is not complete")
        }
        let bytes = try? BoundedFile.read(partFile.path, limit: session.length, timeout: RuneLimits.defaultTimeoutSeconds)
        guard let bytes, bytes.count == session.length else {
            discardSession()
            throw AgentRefusal(returnCode: AgentRefusal.unknown, reason: "the uploaded bytes cannot be read back")
        }
        guard SHA256.hex(SHA256.hash(bytes)) == session.sha256 else {
            discardSession()
            throw AgentRefusal(returnCode: AgentRefusal.corrupt, reason: "the uploaded bytes do not have the announced SHA-256")
        }
        return (session.slot, bytes)
    }

    /// Moves the finished upload into its slot and makes that slot the active one.
    func activateUpload() throws(AgentRefusal) {
        guard let session else { throw AgentRefusal(returnCode: AgentRefusal.badState, reason: "no upload to activate") }
        do {
            // The slot file, synced, then the record: a kill between the two leaves the old record.
            let part = try FileHandle(forWritingTo: partFile)
            try part.synchronize()
            try part.close()
            if rename(partFile.path, slotFile(session.slot).path) != 0 { throw CocoaError(.fileWriteUnknown) }
            let next = Record(sequence: (record?.sequence ?? 0) + 1, active: session.slot, sha256: session.sha256,
                              previous: record?.active)
            try Self.replace(recordFile, with: try JSONEncoder().encode(next))
            record = next
        } catch {
            throw AgentRefusal(returnCode: AgentRefusal.unknown, reason: "activating the slot failed: \(error.localizedDescription)")
        }
        discardSession()
    }

    /// Takes the active slot out of service (its rune failed) and goes back to the one before
    /// it; returns the record now in force, if any.
    @discardableResult
    func revert() -> Record? {
        guard let current = record else { return nil }
        try? FileManager.default.removeItem(at: slotFile(current.active))
        var next: Record?
        if let previous = current.previous, let bytes = rune(in: previous) {
            next = Record(sequence: current.sequence + 1, active: previous, sha256: SHA256.hex(SHA256.hash(bytes)), previous: nil)
        }
        if let next, let data = try? JSONEncoder().encode(next) {
            try? Self.replace(recordFile, with: data)
        } else {
            try? FileManager.default.removeItem(at: recordFile)
        }
        record = next
        return next
    }

    /// Drops the session (its rune was refused after it arrived whole).
    func discardUpload() { discardSession() }

    private func discardSession() {
        try? FileManager.default.removeItem(at: sessionFile)
        try? FileManager.default.removeItem(at: partFile)
        session = nil
        received = 0
    }

    private static func readJSON<Value: Decodable>(_ type: Value.Type, at file: URL) -> Value? {
        guard let bytes = try? BoundedFile.read(file.path, limit: 4096, timeout: RuneLimits.defaultTimeoutSeconds) else { return nil }
        return try? JSONDecoder().decode(type, from: Data(bytes))
    }

    /// Replaces `file` with `data` all at once: a synced temporary file renamed over it.
    static func replace(_ file: URL, with data: Data) throws {
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).tmp")
        FileManager.default.createFile(atPath: temporary.path, contents: nil)
        let handle = try FileHandle(forWritingTo: temporary)
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        guard rename(temporary.path, file.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}
