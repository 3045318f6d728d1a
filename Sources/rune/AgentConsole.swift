import Foundation
import RuneLink

/// `rune agent`'s console: every line (output records, trap and event lines, logs) goes to its
/// stdout and to every connected client, between SMP frames, as RunicOS writes them on its UART.
final class AgentConsole: @unchecked Sendable {
    /// One client's link, with the lock that keeps a line and a response frame from interleaving.
    final class Client: @unchecked Sendable {
        let link: TCPByteLink
        let writeLock = NSLock()
        private var failed = false
        init(link: TCPByteLink) { self.link = link }

        /// Writes `bytes` whole; false when the link failed (now or before).
        func send(_ bytes: [UInt8]) -> Bool {
            writeLock.withLock {
                if !failed, (try? link.write(bytes)) == nil { failed = true }
                return !failed
            }
        }

        /// Whether a write failed: the client's thread stops serving it. (Only that thread
        /// closes the link, so no descriptor is closed under a read.)
        var hasFailed: Bool { writeLock.withLock { failed } }
    }

    private let lock = NSLock()
    private var clients: [ObjectIdentifier: Client] = [:]

    /// How many clients may be connected at once; later ones are turned away.
    static let maximumClients = 16

    /// Adds a client; false when there are already ``maximumClients``.
    func add(_ client: Client) -> Bool {
        lock.withLock {
            guard clients.count < Self.maximumClients else { return false }
            clients[ObjectIdentifier(client)] = client
            return true
        }
    }

    func remove(_ client: Client) {
        lock.withLock { _ = clients.removeValue(forKey: ObjectIdentifier(client)) }
    }

    /// Prints `line` on stdout and sends it to every client; a client whose link fails is
    /// dropped (its thread then ends).
    func line(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        // A closed stdout (the agent's terminal gone) must not stop it serving its clients.
        try? FileHandle.standardOutput.write(contentsOf: Data(bytes))
        let current = lock.withLock { Array(clients.values) }
        for client in current where !client.send(bytes) { remove(client) }
    }
}
