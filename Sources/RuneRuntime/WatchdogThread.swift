import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The thread behind a ``Watchdog``, and the state it shares with the thread that makes calls.
///
/// `state` holds the current call's generation and phase in one word, so both sides agree on
/// which call a stop is meant for without taking a lock on every call: `generation << 2 | phase`,
/// where the phase is idle, running, stopping (the watchdog is inside `stop`) or stopped (`stop`
/// ran during this call). The watchdog moves a call out of running only by compare-and-swap from
/// that very call's running word, so `stop` runs only while the call it is meant for runs; the
/// calling side ends a call by swapping running or stopped for idle, and waits out a stopping, so
/// `stop` never runs after the call returned (the next call's `arm` cannot be undone by a late
/// stop).
final class WatchdogThread: @unchecked Sendable {
    private enum Phase {
        static let idle: UInt64 = 0
        static let running: UInt64 = 1
        static let stopping: UInt64 = 2
        static let stopped: UInt64 = 3
    }

    private let state = Atomic<UInt64>(0)
    /// When the running call began (coarse clock, nanoseconds); written before `state` is.
    private let callStart = Atomic<UInt64>(0)
    private let timeoutNanoseconds: UInt64
    /// How often a stopped call that has not returned is stopped again: a signal that lands in a
    /// host function or libc is ignored, and the interpreter may overwrite a zeroed budget.
    private static let repeatNanoseconds: UInt64 = 1_000_000
    private let stopCall: () -> Void
    private let condition = NSCondition()
    /// Set, under `condition`, when the watchdog's owner is gone; the thread then ends.
    private var shuttingDown = false

    init(timeoutNanoseconds: UInt64, stop: @escaping () -> Void) {
        self.timeoutNanoseconds = max(timeoutNanoseconds, 1)
        self.stopCall = stop
    }

    /// Starts the thread. It keeps this object alive until ``shutDown()``.
    func start() {
        let thread = Thread { [self] in watch() }
        thread.name = "rune.watchdog"
        thread.start()
    }

    /// Ends the thread (at once if it is waiting).
    func shutDown() {
        condition.lock()
        shuttingDown = true
        condition.signal()
        condition.unlock()
    }

    /// Marks a new call as running from now; returns its generation, for ``end(_:)``.
    func begin() -> UInt64 {
        let generation = (state.load(ordering: .relaxed) >> 2) &+ 1
        callStart.store(Self.now(), ordering: .relaxed)
        // Releasing: a watchdog that sees this generation sees its start time, or a later one.
        state.store(generation << 2 | Phase.running, ordering: .releasing)
        return generation
    }

    /// Ends call `generation`; returns whether the watchdog stopped it.
    func end(_ generation: UInt64) -> Bool {
        let running = generation << 2 | Phase.running
        let stopped = generation << 2 | Phase.stopped
        let idle = generation << 2 | Phase.idle
        while true {
            let (exchanged, current) = state.compareExchange(expected: running, desired: idle, ordering: .acquiringAndReleasing)
            if exchanged { return false }
            if current == stopped,
               state.compareExchange(expected: stopped, desired: idle, ordering: .acquiringAndReleasing).exchanged {
                return true
            }
            // The watchdog is inside `stop` (a store, or sending a signal): it is brief.
            sched_yield()
        }
    }

    /// Sleeps until the running call's deadline, stops the call if it is still the same one, and
    /// stops it again every millisecond until it returns.
    private func watch() {
        condition.lock()
        defer { condition.unlock() }
        while !shuttingDown {
            let current = state.load(ordering: .acquiring)
            // No call running: one that starts later expires a whole timeout after it starts.
            var wait = timeoutNanoseconds
            switch current & 3 {
            case Phase.running:
                let now = Self.now(), start = callStart.load(ordering: .relaxed)
                let elapsed = now > start ? now - start : 0
                if elapsed < timeoutNanoseconds {
                    wait = timeoutNanoseconds - elapsed
                } else if stop(current, from: Phase.running) {
                    wait = Self.repeatNanoseconds
                } else {
                    continue  // the call ended meanwhile: look at the next one
                }
            case Phase.stopped:
                _ = stop(current, from: Phase.stopped)
                wait = Self.repeatNanoseconds
            default:
                break
            }
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(wait) / 1e9))
        }
    }

    /// Runs `stop` for the call `word` describes if it is still in `phase`; whether it was.
    private func stop(_ word: UInt64, from phase: UInt64) -> Bool {
        let call = word & ~3
        guard state.compareExchange(expected: call | phase, desired: call | Phase.stopping, ordering: .acquiringAndReleasing).exchanged else {
            return false
        }
        stopCall()
        state.store(call | Phase.stopped, ordering: .releasing)
        return true
    }

    /// Monotonic nanoseconds from the coarse clock: a read of the kernel's last tick, no system
    /// call (a few milliseconds' resolution, which a deadline of --timeout can spare).
    static func now() -> UInt64 {
        #if canImport(Glibc)
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
        #else
        return DispatchTime.now().uptimeNanoseconds
        #endif
    }
}
