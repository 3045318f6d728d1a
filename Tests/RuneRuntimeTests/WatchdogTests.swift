import Foundation
@testable import RuneRuntime
import Testing

/// The watchdog: one thread per instance that stops a call past its deadline, and never touches
/// a call that already returned (the next call's `arm` must not be undone by a late stop).
@Suite struct WatchdogTests {
    /// What the watchdog's thread and the calling thread share.
    final class Flags: @unchecked Sendable {
        private let lock = NSLock()
        private var stopRequested = false
        private var stops = 0
        func stop() { lock.withLock { stopRequested = true; stops += 1 } }
        func arm() { lock.withLock { stopRequested = false } }
        var stopped: Bool { lock.withLock { stopRequested } }
        var stopCount: Int { lock.withLock { stops } }
    }

    @Test func aCallPastItsDeadlineIsStopped() throws {
        let flags = Flags()
        let watchdog = Watchdog(timeoutSeconds: 0.05, arm: flags.arm, stop: flags.stop)
        let start = ContinuousClock.now
        #expect(throws: Watchdog.Expired.self) {
            try watchdog.run {
                while !flags.stopped { usleep(100) }
                throw CancellationError()
            }
        }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(50))
        #expect(elapsed < .seconds(5))
        // Stopped calls leave the watchdog usable: the next call is armed afresh.
        #expect(try watchdog.run { flags.stopped } == false)
    }

    @Test func quickCallsAreNeverStopped() throws {
        let flags = Flags()
        let watchdog = Watchdog(timeoutSeconds: 0.5, arm: flags.arm, stop: flags.stop)
        var total = 0
        for index in 0..<20_000 { total += try watchdog.run { index & 1 } }
        #expect(total == 10_000)
        #expect(flags.stopCount == 0)
    }

    @Test func noStopAfterTheCallReturned() throws {
        let flags = Flags()
        let watchdog = Watchdog(timeoutSeconds: 0.03, arm: flags.arm, stop: flags.stop)
        // The call ignores the first stop and returns on its own: not an error.
        let value = try watchdog.run { () -> Int in
            while flags.stopCount == 0 { usleep(100) }
            return 7
        }
        #expect(value == 7)
        let stops = flags.stopCount
        // Idle: the watchdog no longer stops anything.
        usleep(50_000)
        #expect(flags.stopCount == stops)
    }

    @Test func noTimeoutMeansNoWatchdog() throws {
        let flags = Flags()
        let watchdog = Watchdog(timeoutSeconds: 0, arm: flags.arm, stop: flags.stop)
        #expect(try watchdog.run { 1 } == 1)
        #expect(flags.stopCount == 0)
    }
}
