import Foundation
import RuneFiles

extension SMPClient {
    /// What an upload took, for the report of a cast.
    public struct UploadReport: Sendable, Equatable {
        /// How many chunks were in flight at most (the device's `buf_count`, or `window`).
        public var window = 0
        /// Chunks sent, the first and resent ones included, and the image bytes sent again.
        public var chunks = 0
        public var resentBytes = 0
        /// Bytes written to and read from the line while uploading.
        public var bytesWritten = 0
        public var bytesRead = 0
        /// Where the device's first answer said an earlier, interrupted session of this image had
        /// stopped (0: it started afresh, or stopped within the first chunk). This attempt's own:
        /// ``add(_:)`` leaves it alone.
        public var resumedAt = 0

        public init() {}

        /// Adds what an earlier attempt of the same upload (before a reconnect) took.
        public mutating func add(_ earlier: UploadReport) {
            window = max(window, earlier.window)
            chunks += earlier.chunks
            resentBytes += earlier.resentBytes
            bytesWritten += earlier.bytesWritten
            bytesRead += earlier.bytesRead
        }
    }

    /// Uploads `image` into the device's inactive slot (image group, command 1), which activates
    /// it once the device has verified it.
    ///
    /// The first request carries the length and SHA-256; if the device holds an interrupted
    /// session for the same image it answers with where that stopped and the upload goes on from
    /// there. Then the chunks stream: up to the device's `buf_count` (its MCUmgr parameters, or
    /// `window` if smaller) are on their way at once, so the line does not idle while the device
    /// answers. Every response names the offset the device wants next: a chunk it did not take
    /// (one before it was lost) sends the upload back to that offset, and a chunk unanswered
    /// within ``timeout`` is sent again after a backoff, up to ``retries`` times in a row. Chunks
    /// fill the device's buffer (`buf_size`), or `chunkSize` bytes of data if that is smaller.
    ///
    /// - Parameters:
    ///   - eraseTimeout: how long to wait for the answer to the first chunk, before which the
    ///     device erases the slot (seconds on flash); a retry after it would only resume.
    ///   - deadline: when to give up, whatever the retries have left:
    ///     ``SMPClientError/uploadDeadlinePassed(acknowledged:total:)``. No wait runs past it.
    ///   - progress: called with (bytes the device holds, total) when that grows; throwing
    ///     from it stops the upload (which can later resume).
    @discardableResult
    public func upload(image: [UInt8], chunkSize: Int? = nil, window: Int? = nil, eraseTimeout: Double = 30,
                       deadline: ContinuousClock.Instant? = nil,
                       progress: (Int, Int) throws -> Void = { _, _ in }) throws -> UploadReport {
        let sha = SHA256.hash(image)
        let startWritten = bytesWritten, startRead = bytesRead
        func pastDeadline() -> Bool { deadline.map { ContinuousClock.now >= $0 } ?? false }
        // Without parameters, the smallest buffer a console-framed server has (one 128-byte
        // line), and one request at a time.
        let parameters = (try? parameters(until: deadline)) ?? (bufferSize: 128, bufferCount: 1)
        if pastDeadline() { throw SMPClientError.uploadDeadlinePassed(acknowledged: 0, total: image.count) }
        let messageLimit = parameters.bufferSize - 4 // the serial packet's length and CRC share the buffer
        let capacity = min(max(1, parameters.bufferCount), window ?? Self.uploadWindowLimit, Self.uploadWindowLimit)
        var state = UploadWindow(total: image.count, capacity: capacity)
        var report = UploadReport()
        report.window = state.capacity
        // Whatever happens, the report says what went over the line.
        func finish() -> UploadReport {
            report.bytesWritten = bytesWritten - startWritten
            report.bytesRead = bytesRead - startRead
            return report
        }
        var highestSent = 0
        // Since the device last took a byte: chunks that went unanswered, and chunks it missed.
        var timeouts = 0, rewinds = 0

        func chunk(at offset: Int) throws -> (fields: [String: CBOR], length: Int) {
            var fields: [String: CBOR] = ["off": .unsigned(UInt64(offset)), "data": .bytes([])]
            if offset == 0 {
                fields["len"] = .unsigned(UInt64(image.count))
                fields["sha"] = .bytes(sha)
                fields["image"] = .unsigned(0)
            }
            // What the request takes without data, plus the data's head growing to 3 bytes.
            let overhead = SMPMessage.headerLength + CBOR.map(fields).encoded().count + 2
            var length = min(image.count - offset, messageLimit - overhead)
            if let chunkSize { length = min(length, chunkSize) }
            guard length > 0 || image.isEmpty else {
                throw SMPClientError.unexpectedResponse("the device's buffer (\(parameters.bufferSize) bytes) leaves no room for data")
            }
            fields["data"] = .bytes(Array(image[offset..<(offset + length)]))
            return (fields, length)
        }

        if image.isEmpty {
            // Nothing to stream: the device answers the announcement (RunicOS refuses it).
            try request(.write, group: SMPGroup.image, command: 1, body: .map(chunk(at: 0).fields), until: deadline)
            return finish()
        }

        repeat {
            if pastDeadline() {
                throw SMPClientError.uploadDeadlinePassed(acknowledged: state.acknowledged, total: image.count)
            }
            while state.hasRoom {
                let offset = state.nextOffset
                let (fields, length) = try chunk(at: offset)
                let sequence = try send(.write, group: SMPGroup.image, command: 1, body: .map(fields))
                state.sent(sequence: sequence, length: length,
                           deadline: Self.deadline(after: offset == 0 ? max(timeout, eraseTimeout) : timeout))
                report.chunks += 1
                report.resentBytes += max(0, min(highestSent, offset + length) - offset)
                highestSent = max(highestSent, offset + length)
            }
            guard let oldest = state.oldest else { break }
            let response = try receive(until: deadline.map { min($0, oldest.deadline) } ?? oldest.deadline) {
                $0.operation == .writeResponse && $0.group == SMPGroup.image && $0.command == 1 && state.isAwaiting($0.sequence)
            }
            let outcome: UploadWindow.Outcome
            if let response {
                try Self.check(response)
                guard let next = response.body["off"]?.intValue, next >= 0, next <= image.count else {
                    throw SMPClientError.unexpectedResponse("an upload response without a valid \"off\"")
                }
                // The first answer to a chunk at 0 says where an interrupted session stopped.
                if state.acknowledged == 0, let chunk = state.inFlight.first(where: { $0.sequence == response.sequence }),
                   chunk.offset == 0, next > chunk.length {
                    report.resumedAt = Int(next)
                }
                outcome = state.answered(sequence: response.sequence, next: Int(next))
                state.renew(until: Self.deadline(after: timeout))
            } else {
                guard let expired = state.expire(now: ContinuousClock.now) else { continue }
                outcome = expired
                if expired == .rewound {
                    timeouts += 1
                    if timeouts > retries { throw SMPClientError.timedOut(group: SMPGroup.image, command: 1, attempts: timeouts) }
                    Self.sleep(Self.backoff(attempt: timeouts), until: deadline)
                    continue
                }
            }
            switch outcome {
            case .advanced:
                timeouts = 0
                rewinds = 0
                try progress(state.acknowledged, image.count)
            case .rewound:
                rewinds += 1
                if rewinds > Self.uploadRewindLimit { throw SMPClientError.uploadStalled(offset: state.acknowledged) }
            case .unchanged:
                break
            }
        } while !state.isComplete
        return finish()
    }

    /// The most chunks an upload has in flight, whatever the device offers: beyond what keeps
    /// the line busy during a round trip, more only costs resends after a loss.
    public static let uploadWindowLimit = 4

    /// How many times in a row the device may miss a chunk without taking a byte before the
    /// upload is declared stalled.
    static let uploadRewindLimit = 8
}
