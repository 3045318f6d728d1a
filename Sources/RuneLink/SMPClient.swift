import Foundation

/// An SMP client over a ``ByteLink``: requests go out as SMP serial frames with a fresh sequence
/// number; the response with that sequence (and the matching group and command) is the answer,
/// and anything else on the line (console text, stale responses, broken frames) is set aside.
/// A request that gets no answer within ``timeout`` is sent again, up to ``retries`` times, with
/// a backoff between attempts.
///
/// Not thread-safe: one client per line. Requests wait for their answers one at a time, except
/// an upload's chunks, which stream within the window the device reports (``upload(image:chunkSize:window:eraseTimeout:deadline:progress:)``).
public final class SMPClient {
    public let link: any ByteLink
    /// Seconds to wait for each response.
    public var timeout: Double
    /// How often a request that timed out is sent again.
    public var retries: Int
    /// Console lines seen between frames (the last ``consoleLineLimit``), for diagnostics.
    public private(set) var consoleLines: [String] = []
    public static let consoleLineLimit = 100
    /// Bytes this client put on the line and took off it (frames, console text and all): what
    /// an upload's link utilisation is measured by.
    public private(set) var bytesWritten = 0
    public private(set) var bytesRead = 0

    /// Console lines not yet looked at by ``waitForConsoleLine(timeout:where:)``, oldest first
    /// (bounded like ``consoleLines``): lines that came in while a request waited for its answer.
    private var unreadConsoleLines: [String] = []
    private var decoder = SMPSerialFrame.Decoder()
    private var nextSequence: UInt8 = 0
    private var received: [SMPMessage] = []

    public init(link: any ByteLink, timeout: Double = 2.5, retries: Int = 3) {
        self.link = link
        self.timeout = timeout
        self.retries = retries
    }

    /// Sends a request and returns the response body. Throws ``SMPDeviceError`` if the device
    /// answered with a non-zero `rc` (or an SMP version 2 `err`), ``SMPClientError/timedOut`` if
    /// it did not answer at all. `timeout` overrides ``timeout`` for this request; past
    /// `deadline`, no attempt starts and none waits longer.
    @discardableResult
    public func request(_ operation: SMPMessage.Operation, group: UInt16, command: UInt8, body: CBOR = .map([:]),
                        timeout: Double? = nil, until deadline: ContinuousClock.Instant? = nil) throws -> CBOR {
        let attempts = max(1, retries + 1)
        for attempt in 0..<attempts {
            if attempt > 0 { Self.sleep(Self.backoff(attempt: attempt), until: deadline) }
            if let deadline, ContinuousClock.now >= deadline {
                throw SMPClientError.timedOut(group: group, command: command, attempts: attempt)
            }
            let sequence = try send(operation, group: group, command: command, body: body)
            let answerBy = Self.deadline(after: timeout ?? self.timeout)
            if let response = try receive(until: deadline.map { min($0, answerBy) } ?? answerBy, where: {
                $0.sequence == sequence && $0.operation == operation.response && $0.group == group && $0.command == command
            }) {
                try Self.check(response)
                return response.body
            }
        }
        throw SMPClientError.timedOut(group: group, command: command, attempts: attempts)
    }

    /// Sleeps `seconds`, or until `deadline` if that comes first: a backoff that must not
    /// outlast an overall deadline (the client's own, and its callers' between attempts).
    public static func sleep(_ seconds: Double, until deadline: ContinuousClock.Instant?) {
        var wake = Self.deadline(after: seconds)
        if let deadline { wake = min(wake, deadline) }
        let left = wake - ContinuousClock.now
        guard left > .zero else { return }
        Thread.sleep(forTimeInterval: Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)
    }

    /// How long to wait before attempt `attempt` (1 for the first resend): 50 ms, 100 ms,
    /// 200 ms ... up to 1 s, room for a device busy erasing flash.
    static func backoff(attempt: Int) -> Double {
        min(1.0, 0.05 * Double(1 << min(max(attempt, 1) - 1, 5)))
    }

    static func deadline(after seconds: Double) -> ContinuousClock.Instant {
        ContinuousClock.now + .milliseconds(Int64(max(0, seconds) * 1000))
    }

    /// Writes one request with a fresh sequence number and returns that number, without waiting
    /// for its answer (``receive(until:where:)`` finds it).
    func send(_ operation: SMPMessage.Operation, group: UInt16, command: UInt8, body: CBOR) throws -> UInt8 {
        let message = SMPMessage(operation: operation, group: group, sequence: nextSequence, command: command, body: body)
        nextSequence &+= 1
        let frame = SMPSerialFrame.encode(message.encoded())
        try link.write(frame)
        bytesWritten += frame.count
        return message.sequence
    }

    static func check(_ response: SMPMessage) throws {
        var code = response.body["rc"]?.intValue ?? 0
        if let err = response.body["err"], let rc = err["rc"]?.intValue { code = rc }
        guard code == 0 else {
            throw SMPDeviceError(group: response.group, command: response.command, returnCode: code, reason: response.body["rsn"]?.textValue)
        }
    }

    /// The first message from the device that `accept` takes, or nil when none came by
    /// `deadline`. Messages it does not take (stale answers, others' responses) are dropped.
    func receive(until deadline: ContinuousClock.Instant, where accept: (SMPMessage) -> Bool) throws -> SMPMessage? {
        let clock = ContinuousClock()
        while true {
            while !received.isEmpty {
                let message = received.removeFirst()
                if accept(message) { return message }
            }
            let left = deadline - clock.now
            guard left > .zero else { return nil }
            let bytes = try link.read(timeout: Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)
            absorb(bytes)
        }
    }

    /// Reads the line until a console line (anything that is not an SMP frame: a rune's output
    /// records, RunicOS's trap and event lines) satisfies `predicate`, and returns it; nil if none
    /// did within `timeout` seconds. Every console line read is also kept in ``consoleLines``.
    public func waitForConsoleLine(timeout: Double, where predicate: (String) -> Bool) throws -> String? {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int64(timeout * 1000))
        while true {
            while !unreadConsoleLines.isEmpty {
                let line = unreadConsoleLines.removeFirst()
                if predicate(line) { return line }
            }
            let left = deadline - clock.now
            guard left > .zero else { return nil }
            let bytes = try link.read(timeout: min(0.2, Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18))
            absorb(bytes)
        }
    }

    /// Sorts what came off the line into responses and console lines.
    private func absorb(_ bytes: [UInt8]) {
        bytesRead += bytes.count
        for byte in bytes {
            switch decoder.feed(byte) {
            case .message(let frame):
                if let message = try? SMPMessage(decoding: frame) { received.append(message) }
            case .console(let line):
                keepConsoleLine(String(decoding: line, as: UTF8.self))
            case .refused, nil:
                break
            }
        }
    }

    private func keepConsoleLine(_ line: String) {
        consoleLines.append(line)
        if consoleLines.count > Self.consoleLineLimit { consoleLines.removeFirst() }
        unreadConsoleLines.append(line)
        if unreadConsoleLines.count > Self.consoleLineLimit { unreadConsoleLines.removeFirst() }
    }

    // MARK: - Commands

    /// Echo (OS group, command 0): the device sends `text` back.
    public func echo(_ text: String) throws -> String {
        let body = try request(.write, group: SMPGroup.os, command: 0, body: .map(["d": .text(text)]))
        guard let echoed = body["r"]?.textValue else { throw SMPClientError.unexpectedResponse("echo without \"r\"") }
        return echoed
    }

    /// The device's SMP buffer (OS group, command 6): the largest decoded serial packet
    /// (length, message and CRC) it takes, and how many it has.
    public func parameters(until deadline: ContinuousClock.Instant? = nil) throws -> (bufferSize: Int, bufferCount: Int) {
        let body = try request(.read, group: SMPGroup.os, command: 6, until: deadline)
        guard let size = body["buf_size"]?.intValue, let count = body["buf_count"]?.intValue, size > 0 else {
            throw SMPClientError.unexpectedResponse("MCUmgr parameters without buf_size and buf_count")
        }
        return (Int(size), Int(count))
    }

    /// Resets the device (OS group, command 5); it answers first.
    public func reset() throws {
        try request(.write, group: SMPGroup.os, command: 5)
    }

    /// The slots that hold a valid image (image group, command 0).
    public func imageState() throws -> [ImageSlotState] {
        let body = try request(.read, group: SMPGroup.image, command: 0)
        guard let images = body["images"]?.arrayValue else { throw SMPClientError.unexpectedResponse("image state without \"images\"") }
        return try images.map(ImageSlotState.init(decoding:))
    }

    /// Confirms the image whose SHA-256 is `hash` (image group, command 0, a state write): the
    /// running one changes nothing; the other slot's makes the device go back to it (RunicOS
    /// erases the slot it leaves, since activation is final). Returns the image state after it.
    /// The device refuses a hash no slot holds as a verified image that was active before.
    public func confirmImage(hash: [UInt8]) throws -> [ImageSlotState] {
        let body = try request(.write, group: SMPGroup.image, command: 0, body: .map(["hash": .bytes(hash), "confirm": .bool(true)]))
        guard let images = body["images"]?.arrayValue else { throw SMPClientError.unexpectedResponse("image state without \"images\"") }
        return try images.map(ImageSlotState.init(decoding:))
    }

    /// What the device runs (RunicOS's rune group, command 0).
    public func runeInfo() throws -> RuneInfo {
        try RuneInfo(decoding: request(.read, group: SMPGroup.rune, command: 0))
    }

    /// Streams `data`, a whole tensor, to capability `index` of the running rune (rune group,
    /// command 1), in chunks of at most `chunkSize` bytes sent in order; the device refuses it
    /// unless the rune has that capability and `data` is its tensor's size. A rune fed by the
    /// host makes one call per complete set of its fed tensors.
    ///
    /// A chunk resent after its answer was lost is refused (the device already holds it, and
    /// takes chunks only in order); since a chunk at offset 0 always starts the tensor afresh,
    /// the tensor is then sent again from its start, up to ``inputRestarts`` times.
    public func streamInput(index: Int, data: [UInt8], chunkSize: Int = 1024) throws {
        var restarts = 0
        var offset = 0
        repeat {
            let chunk = Array(data[offset..<min(data.count, offset + max(chunkSize, 1))])
            var body: [String: CBOR] = ["index": .unsigned(UInt64(index)), "data": .bytes(chunk)]
            if offset > 0 { body["off"] = .unsigned(UInt64(offset)) }
            do {
                try request(.write, group: SMPGroup.rune, command: 1, body: .map(body))
            } catch let error as SMPDeviceError where offset > 0 && error.returnCode == SMPDeviceError.invalidValue
                && restarts < Self.inputRestarts {
                restarts += 1
                offset = 0
                continue
            }
            offset += chunk.count
        } while offset < data.count
    }

    /// How often ``streamInput(index:data:chunkSize:)`` starts a tensor again after an
    /// out-of-order refusal.
    public static let inputRestarts = 2
}
