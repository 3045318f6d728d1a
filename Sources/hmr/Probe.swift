import Foundation
import RuneFiles
import RuneLink

/// What one target said when asked what it runs, or why it did not.
struct Probe: Sendable {
    var target: Target
    var info: RuneInfo?
    var failure: String?

    /// Asks `target` for its rune info within ``HammerLimits/probeSeconds``.
    static func run(_ target: Target) -> Probe {
        do {
            // One request, no resend: a probe is a look, and a silent device is the answer.
            let connection = try Connection(to: target, timeout: HammerLimits.probeSeconds, retries: 0)
            return Probe(target: target, info: try connection.client.runeInfo())
        } catch let error as SMPClientError {
            if case .timedOut = error { return Probe(target: target, failure: "no answer within \(HammerLimits.probeSeconds) s") }
            return Probe(target: target, failure: HammerError.describe(error))
        } catch let error as SMPDeviceError where error.returnCode == SMPDeviceError.notSupported {
            return Probe(target: target, failure: "answers SMP but is not RunicOS (no rune group)")
        } catch {
            return Probe(target: target, failure: HammerError.describe(error))
        }
    }

    /// Every target probed at once.
    static func all(_ targets: [Target]) -> [Probe] {
        Parallel.map(targets, run)
    }
}

extension RuneInfo {
    /// Whether the device runs a rune (its digest is not all zero).
    var hasRune: Bool { runeSHA256.contains { $0 != 0 } }
    /// The first 12 hex digits of the running rune's SHA-256, or "-".
    var shortDigest: String { hasRune ? String(SHA256.hex(runeSHA256).prefix(12)) : "-" }
    /// "A", "B" or "-".
    var slotName: String { slot.map { $0 == 0 ? "A" : "B" } ?? "-" }
}
