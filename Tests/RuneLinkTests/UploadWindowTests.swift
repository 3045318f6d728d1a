@testable import RuneLink
import Testing

/// The go-back-N bookkeeping of a streamed upload, answer by answer, as a device that takes
/// chunks only at the offset it expects would answer.
struct UploadWindowTests {
    let later = ContinuousClock.now + .seconds(60)

    /// A window whose first chunk (100 bytes, sequence 0) the device took.
    func opened(total: Int = 1000, capacity: Int) -> UploadWindow {
        var window = UploadWindow(total: total, capacity: capacity)
        window.sent(sequence: 0, length: 100, deadline: later)
        _ = window.answered(sequence: 0, next: 100)
        return window
    }

    @Test func theFirstChunkGoesAloneThenTheWindowFills() {
        var window = UploadWindow(total: 1000, capacity: 3)
        #expect(window.hasRoom)
        window.sent(sequence: 0, length: 100, deadline: later)
        #expect(!window.hasRoom, "nothing more until the device has opened the session")
        #expect(window.answered(sequence: 0, next: 100) == .advanced)
        for sequence in 1...3 {
            #expect(window.hasRoom)
            window.sent(sequence: UInt8(sequence), length: 100, deadline: later)
        }
        #expect(!window.hasRoom && window.nextOffset == 400)
        #expect(window.answered(sequence: 1, next: 200) == .advanced && window.hasRoom)
    }

    @Test func aLostChunkSendsTheUploadBackOnceAndLateAnswersDoNotAgain() {
        var window = opened(capacity: 3)
        window.sent(sequence: 1, length: 100, deadline: later) // lost on the way
        window.sent(sequence: 2, length: 100, deadline: later)
        window.sent(sequence: 3, length: 100, deadline: later)
        // Chunk 2 arrives where the device wants 100: not taken.
        #expect(window.answered(sequence: 2, next: 100) == .rewound)
        #expect(window.nextOffset == 100 && window.acknowledged == 100)
        #expect(window.inFlight.count == 1 && window.inFlight[0].stale)
        // Chunk 3, sent before the rewind, is refused the same way: no second rewind.
        #expect(window.answered(sequence: 3, next: 100) == .unchanged && window.nextOffset == 100)
        window.sent(sequence: 4, length: 100, deadline: later)
        #expect(window.answered(sequence: 4, next: 200) == .advanced && window.nextOffset == 200)
    }

    @Test func anAnswerAlsoSettlesTheChunksBeforeIt() {
        var window = opened(total: 300, capacity: 3)
        window.sent(sequence: 1, length: 100, deadline: later)
        window.sent(sequence: 2, length: 100, deadline: later)
        // Chunk 1's answer was lost; chunk 2's says both landed.
        #expect(window.answered(sequence: 2, next: 300) == .advanced)
        #expect(window.inFlight.isEmpty && window.isComplete)
        #expect(window.answered(sequence: 1, next: 300) == .unchanged, "an answer to nothing in flight changes nothing")
    }

    @Test func anOverdueChunkRewindsToWhatTheDeviceHolds() {
        let soon = ContinuousClock.now
        var window = opened(capacity: 2)
        window.sent(sequence: 1, length: 100, deadline: soon)
        window.sent(sequence: 2, length: 100, deadline: soon)
        #expect(window.expire(now: soon - .seconds(1)) == nil, "not overdue yet")
        #expect(window.expire(now: soon) == .rewound && window.nextOffset == 100)
        // The next overdue one was sent before that rewind: dropped without another.
        #expect(window.expire(now: soon) == .unchanged && window.nextOffset == 100 && window.inFlight.isEmpty)
    }

    @Test func anAnswerRenewsTheDeadlinesOfTheChunksQueuedBehindIt() {
        let soon = ContinuousClock.now
        var window = opened(capacity: 3)
        window.sent(sequence: 1, length: 100, deadline: soon)
        window.sent(sequence: 2, length: 100, deadline: soon)
        _ = window.answered(sequence: 1, next: 200)
        window.renew(until: later)
        #expect(window.expire(now: soon) == nil, "chunk 2 waited behind chunk 1, which was answered")
        #expect(window.expire(now: later) == .rewound)
    }

    @Test func aDeviceAheadOfTheSenderMovesItForward() {
        var window = UploadWindow(total: 1000, capacity: 2)
        window.sent(sequence: 0, length: 100, deadline: later)
        // The device resumed an earlier session further on.
        #expect(window.answered(sequence: 0, next: 600) == .advanced && window.nextOffset == 600)
        #expect(window.answered(sequence: 9, next: 2000) == .unchanged && window.acknowledged == 600)
    }
}
