import Foundation

/// A TCP proxy on 127.0.0.1 between hmr and a device that breaks the link on purpose: it drops
/// bytes, corrupts them, delays them and disconnects mid-transfer, each at a seeded random rate
/// on the host-to-device direction (where the upload's bytes flow); or limits both directions to
/// a baud rate. One client at a time; each new client gets a new connection to the device.
final class FaultProxy: @unchecked Sendable {
    struct Faults: Sendable {
        /// Per chunk read from hmr (chunks are what one `read` returns, up to 4 KB).
        var dropRate = 0.0
        var corruptRate = 0.0
        var delayRate = 0.0
        var delaySeconds = 0.3
        /// Disconnect both sides once this many bytes went towards the device (per connection,
        /// for the first `disconnects` connections).
        var disconnectAfterBytes: Int?
        var disconnects = 0
        /// Bits per second in each direction (10 bits a byte, as a UART sends them); nil: no limit.
        var baudRate: Int?
        /// Once this many bytes in all (over every connection) went towards the device, the link
        /// goes silent for good: connections are still accepted and read, but nothing is
        /// forwarded either way, as through a bridge that hung or to a device that stopped
        /// answering.
        var stallAfterBytes: Int?
        var seed: UInt64 = 1
    }

    let port: UInt16
    private let listener: Int32
    private let devicePort: UInt16
    private let faults: Faults
    private let lock = NSLock()
    private var stopped = false
    private var random: UInt64
    private var connections = 0
    /// Bytes forwarded towards the device over every connection, for `stallAfterBytes`.
    private var towardsDevice = 0
    /// What the proxy did, for the test's report.
    private(set) var dropped = 0, corrupted = 0, delayed = 0, cut = 0

    init(devicePort: UInt16, faults: Faults) throws {
        self.devicePort = devicePort
        self.faults = faults
        random = faults.seed
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var on: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 4) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard listening else { throw HammerTestError("the proxy cannot listen") }
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { stop() }

    func stop() {
        lock.withLock { stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    /// A uniform number in 0..<1 from a xorshift stream (seeded: a failing run can be replayed).
    private func nextRandom() -> Double {
        lock.withLock {
            random ^= random << 13
            random ^= random >> 7
            random ^= random << 17
            return Double(random >> 11) / Double(1 << 53)
        }
    }

    private func acceptLoop() {
        while !isStopped {
            var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 200) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            guard let device = connectToDevice() else { close(client); continue }
            let index = lock.withLock { defer { connections += 1 }; return connections }
            let cutAfter = index < faults.disconnects ? faults.disconnectAfterBytes : nil
            let pair = Pair(client: client, device: device)
            Thread.detachNewThread { [self] in pump(pair, fromClient: true, cutAfter: cutAfter) }
            Thread.detachNewThread { [self] in pump(pair, fromClient: false, cutAfter: nil) }
        }
    }

    /// Both ends of one proxied connection; closing either side closes both.
    private final class Pair: @unchecked Sendable {
        let client: Int32, device: Int32
        private let lock = NSLock()
        private var closed = false
        init(client: Int32, device: Int32) { self.client = client; self.device = device }
        var isClosed: Bool { lock.withLock { closed } }
        func close() {
            lock.withLock {
                guard !closed else { return }
                closed = true
                shutdown(client, Int32(SHUT_RDWR)); shutdown(device, Int32(SHUT_RDWR))
                Foundation.close(client); Foundation.close(device)
            }
        }
    }

    private func connectToDevice() -> Int32? {
        let device = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = devicePort.bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(device, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        if connected { return device }
        close(device)
        return nil
    }

    private func pump(_ pair: Pair, fromClient: Bool, cutAfter: Int?) {
        let source = fromClient ? pair.client : pair.device
        let destination = fromClient ? pair.device : pair.client
        var forwarded = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        defer { pair.close() }
        while !pair.isClosed, !isStopped {
            var entry = pollfd(fd: source, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 200) >= 0 else { return }
            guard entry.revents != 0 else { continue }
            // Under a baud limit, read at most what one 10 ms slot carries.
            let slot = faults.baudRate.map { max(1, $0 / 10 / 100) } ?? buffer.count
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, min(slot, $0.count), 0) }
            guard count > 0 else { return }
            var chunk = Array(buffer.prefix(count))
            if let stallAfter = faults.stallAfterBytes {
                // Only the part before the limit goes through; from then on everything is swallowed.
                let allowed = lock.withLock {
                    let room = fromClient ? max(0, stallAfter - towardsDevice) : (towardsDevice < stallAfter ? chunk.count : 0)
                    if fromClient { towardsDevice += min(room, chunk.count) }
                    return min(room, chunk.count)
                }
                chunk = Array(chunk.prefix(allowed))
                if chunk.isEmpty { continue }
            }
            if fromClient {
                if nextRandom() < faults.dropRate { lock.withLock { dropped += 1 }; continue }
                if nextRandom() < faults.corruptRate {
                    chunk[Int(nextRandom() * Double(chunk.count))] ^= 0x20
                    lock.withLock { corrupted += 1 }
                }
                if nextRandom() < faults.delayRate {
                    lock.withLock { delayed += 1 }
                    Thread.sleep(forTimeInterval: faults.delaySeconds)
                }
                if let cutAfter, forwarded + chunk.count > cutAfter {
                    let part = cutAfter - forwarded
                    if part > 0 { _ = chunk.prefix(part).withUnsafeBytes { send(destination, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
                    lock.withLock { cut += 1 }
                    return
                }
            }
            if let baud = faults.baudRate {
                Thread.sleep(forTimeInterval: Double(chunk.count * 10) / Double(baud))
            }
            var sent = 0
            while sent < chunk.count {
                let result = chunk[sent...].withUnsafeBytes { send(destination, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard result > 0 else { return }
                sent += result
            }
            forwarded += chunk.count
        }
    }
}
