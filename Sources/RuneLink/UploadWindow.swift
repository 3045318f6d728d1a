/// The bookkeeping of an upload that streams: which chunks are on their way to the device,
/// what it acknowledged, and where to send from next (go-back-N on the offsets the device
/// names).
///
/// Correctness rests on offsets, not on sequence numbers: the device takes a chunk only at the
/// offset it expects next, and a chunk at a given offset always carries the image's bytes from
/// there, so any chunk it takes is right, whenever it was sent. Sequence numbers only tell
/// which request an answer is for, and so whether the device missed something (a chunk it did
/// not take, from a gap before it) or merely answered late.
struct UploadWindow {
    /// A chunk sent and not yet answered.
    struct Chunk: Equatable {
        var sequence: UInt8
        var offset: Int
        var length: Int
        var deadline: ContinuousClock.Instant
        /// Sent before the last rewind: its answer may still advance the upload, but a refusal
        /// was already acted on.
        var stale = false
    }

    /// What an answer or an expiry did.
    enum Outcome: Equatable {
        /// The device holds more than before.
        case advanced
        /// The device missed a chunk: sending goes back to where it stands.
        case rewound
        /// Nothing new (a late or stale answer).
        case unchanged
    }

    let total: Int
    /// How many chunks may be on their way at once: the device's `buf_count`.
    let capacity: Int
    /// The device holds every byte below this.
    private(set) var acknowledged: Int
    /// Where the next chunk starts.
    private(set) var nextOffset: Int
    private(set) var inFlight: [Chunk] = []

    init(total: Int, capacity: Int, acknowledged: Int = 0) {
        self.total = total
        self.capacity = max(1, capacity)
        self.acknowledged = min(max(0, acknowledged), total)
        nextOffset = self.acknowledged
    }

    var isComplete: Bool { acknowledged >= total }

    /// Whether another chunk may go out now. Until the device has acknowledged a byte the
    /// session may not exist yet (its first chunk opens it, and erases the slot), so that
    /// chunk goes alone.
    var hasRoom: Bool {
        nextOffset < total && inFlight.count < (acknowledged == 0 ? 1 : capacity)
    }

    /// The chunk that must be answered first, and by when.
    var oldest: Chunk? { inFlight.first }

    mutating func sent(sequence: UInt8, length: Int, deadline: ContinuousClock.Instant) {
        inFlight.append(Chunk(sequence: sequence, offset: nextOffset, length: length, deadline: deadline))
        nextOffset += length
    }

    /// Whether `sequence` answers a chunk in flight.
    func isAwaiting(_ sequence: UInt8) -> Bool { inFlight.contains { $0.sequence == sequence } }

    /// The device answered the chunk sent as `sequence`, and wants `next` next. The device serves
    /// requests in order, so the chunks sent before that one are answered (or their answers
    /// lost) too.
    mutating func answered(sequence: UInt8, next: Int) -> Outcome {
        guard let index = inFlight.firstIndex(where: { $0.sequence == sequence }) else { return .unchanged }
        let chunk = inFlight[index]
        inFlight.removeSubrange(...index)
        let advanced = next > acknowledged
        acknowledged = max(acknowledged, min(next, total))
        if next >= chunk.offset + chunk.length || chunk.stale {
            // Taken, or a late answer to something already resent: never move back for it. A
            // device ahead of what was sent (it resumed further) moves sending forward.
            nextOffset = max(nextOffset, acknowledged)
            return advanced ? .advanced : .unchanged
        }
        // Not taken: a chunk before it went missing. Everything in flight is now out of step.
        rewind(to: acknowledged)
        return .rewound
    }

    /// Gives every chunk in flight until at least `deadline`: called when the device answered,
    /// since a chunk queued behind others waits for them on a slow line, and only a device that
    /// stopped answering is overdue (as TCP restarts its timer on every acknowledgement).
    mutating func renew(until deadline: ContinuousClock.Instant) {
        for index in inFlight.indices { inFlight[index].deadline = max(inFlight[index].deadline, deadline) }
    }

    /// Drops the oldest chunk if its answer is overdue at `now`: nil if it is not; else whether
    /// that called for a resend (`.rewound`) or was a stale chunk's (`.unchanged`).
    mutating func expire(now: ContinuousClock.Instant) -> Outcome? {
        guard let first = inFlight.first, first.deadline <= now else { return nil }
        inFlight.removeFirst()
        if first.stale { return .unchanged }
        rewind(to: acknowledged)
        return .rewound
    }

    private mutating func rewind(to offset: Int) {
        nextOffset = offset
        for index in inFlight.indices { inFlight[index].stale = true }
    }
}
