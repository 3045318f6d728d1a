import Foundation
import RuneManifest
@_spi(Fuzzing) import WasmKit

/// Stops a call that runs past its deadline.
///
/// WasmKit 0.4.2 has no way to interrupt a running call, but it can meter fuel: an engine built
/// with `fuelMetering` charges the store's budget as it runs and traps with "out of fuel" when
/// the budget cannot pay. So each call starts with an unlimited budget (`UInt64.max` units, more
/// than any call can spend), and a timer on another thread sets the budget to zero once the
/// deadline passes. The call then traps at its next charge (the start of a basic block, a call
/// or a loop back edge), and the trap is reported as a timeout.
///
/// The data race, and why it is acceptable: the interpreter charges fuel with an unsynchronized
/// read-modify-write of one aligned 64-bit word (`fuel = fuel - cost`), and the watchdog writes
/// that word from another thread through `Store.fuel`'s setter. WasmKit offers nothing
/// synchronized for this (no public or SPI interrupt, epoch or atomic budget; an
/// `EngineInterceptor` would run on every instruction and cost far more). Both sides are plain
/// aligned 8-byte stores and loads, which x86-64 and arm64 perform whole, so the interpreter reads
/// either its own last value or 0, never a torn one. The one thing that can go wrong is a lost
/// update: the watchdog's 0 lands between the interpreter's load and store and is overwritten.
/// So the watchdog writes 0 again every millisecond until the call returns; a lost write delays
/// the stop by a millisecond. The store's other field the setter writes (`hasFuel`) is already
/// `true` and is written with `true`. The watchdog stops writing, under a lock, before the call
/// returns to the host, so nothing touches the store after the call is over. A call that is
/// stopped leaves the instance unusable, and the host reports the error and stops.
///
/// The AOT engine needs none of this: `AOTStore.interrupt()` sets its interrupt flag and
/// signals the running thread, which stops at once in translated code (else at its next function
/// entry); the 1 ms repeat covers a signal that lands in a host function or libc. The watchdog
/// only decides when; each engine says how to arm a call and how to stop it.
///
/// One watchdog thread per instance, started at the first call and ended with the instance,
/// watches every call: a call costs two atomic stores, a coarse clock read and a compare-and-swap,
/// where a timer per call (create, schedule, cancel) cost microseconds, more than a small
/// pipeline's whole call. The thread sleeps until the running call's deadline (or a whole timeout
/// when no call runs, since a call that starts later cannot expire sooner), so it wakes about once
/// per timeout. Times come from the coarse monotonic clock (a memory read, no system call), so a
/// call is stopped up to its resolution (a few milliseconds, 4 ms at 250 Hz) plus scheduling
/// latency after its deadline; never before.
final class Watchdog: @unchecked Sendable {
    let timeoutSeconds: Double
    private let arm: () -> Void
    private let shared: WatchdogThread
    /// Whether the thread runs; unchecked for exclusive access, as calls do not overlap.
    @exclusivity(unchecked) private var started = false

    /// `timeoutSeconds` 0 means no watchdog: calls run unmetered and unbounded. `arm` runs on the
    /// calling thread before each call, `stop` on the watchdog's thread at and after the deadline.
    init(timeoutSeconds: Double, arm: @escaping () -> Void, stop: @escaping () -> Void) {
        self.timeoutSeconds = timeoutSeconds
        self.arm = arm
        shared = WatchdogThread(timeoutNanoseconds: UInt64(min(timeoutSeconds, 1e9) * 1e9), stop: stop)
    }

    /// The watchdog of WasmKit's interpreter: an unlimited fuel budget per call, zeroed at the
    /// deadline.
    convenience init(store: Store, timeoutSeconds: Double) {
        self.init(timeoutSeconds: timeoutSeconds,
                  arm: { store.fuel = Fuel(remaining: .max) },
                  stop: { store.fuel = Fuel(remaining: 0) })
    }

    deinit { shared.shutDown() }

    /// Runs `body` with the deadline armed; throws ``Expired`` if it was stopped at the deadline.
    /// A call that returns on its own is not an error, even if it returned just after.
    /// Calls on one watchdog must not overlap (an instance runs one call at a time).
    func run<T>(_ body: () throws -> T) throws -> T {
        guard timeoutSeconds > 0 else { return try body() }
        if !started {
            started = true
            shared.start()
        }
        arm()
        let generation = shared.begin()
        let result: T
        do {
            result = try body()
        } catch {
            if shared.end(generation) { throw Expired() }
            throw error
        }
        _ = shared.end(generation)
        return result
    }

    /// Thrown by ``run(_:)`` when the call was stopped at the deadline.
    struct Expired: Error {}

    /// "the call to _call ran past the 10s timeout (see --timeout)"
    func message(_ what: String) -> String {
        "\(what) ran past the \(RunLimits.format(seconds: timeoutSeconds)) timeout (see --timeout)"
    }
}

/// Caps the rune's memory and tables: growth past the caps fails as the spec allows
/// (`memory.grow` returns -1), and an initial memory over the cap fails instantiation.
final class RuneResourceLimiter: ResourceLimiter {
    let maxMemoryBytes: Int

    init(maxMemoryBytes: Int) { self.maxMemoryBytes = maxMemoryBytes }

    func limitMemoryGrowth(to desired: Int) throws -> Bool { desired <= maxMemoryBytes }
    func limitTableGrowth(to desired: Int) throws -> Bool { desired <= RuneLimits.maxTableElements }
}
