import Foundation
import RuneManifest

/// What one run of a rune may use, beyond what its manifest declares: the `rune run` flags
/// `--timeout`, `--max-memory`, `--max-output-bytes` and `--max-log-lines`. The defaults are
/// ``RuneLimits``'s.
public struct RunLimits: Sendable, Equatable {
    /// Seconds each call of the start function, `_manifest()` or `_call()` may run; 0 is no limit.
    /// A call that runs past it is stopped with a trap.
    public var timeoutSeconds: Double
    /// Bytes of linear memory the rune may have: a larger initial memory is refused at load, and
    /// `memory.grow` past it returns -1.
    public var maxMemoryBytes: Int
    /// Bytes the rune may hand its outputs in one call (strings included), checked before copying.
    public var maxOutputBytesPerCall: Int
    /// Log lines shown per call; the rest are dropped and counted in one note.
    public var maxLogLinesPerCall: Int

    public init(timeoutSeconds: Double = RuneLimits.defaultTimeoutSeconds,
                maxMemoryBytes: Int = RuneLimits.defaultMaxMemoryBytes,
                maxOutputBytesPerCall: Int = RuneLimits.defaultMaxOutputBytesPerCall,
                maxLogLinesPerCall: Int = RuneLimits.defaultMaxLogLinesPerCall) {
        self.timeoutSeconds = timeoutSeconds
        self.maxMemoryBytes = maxMemoryBytes
        self.maxOutputBytesPerCall = maxOutputBytesPerCall
        self.maxLogLinesPerCall = maxLogLinesPerCall
    }

    /// `500ms`, `10s`, `2m`, `1.5s`: how a timeout is written and shown.
    public static func format(seconds: Double) -> String {
        if seconds < 1, (seconds * 1000).rounded() == seconds * 1000 { return "\(Int(seconds * 1000))ms" }
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
        if seconds.rounded() == seconds { return "\(Int(seconds))s" }
        return "\(seconds)s"
    }

    /// Parses `500ms`, `10s`, `2m` or a number of seconds (`1.5`); nil for anything else,
    /// negative, or longer than a day.
    public static func parseDuration(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(text.trimmingCharacters(in: .whitespaces))
        var scale = 1.0
        for (suffix, factor) in units where number.hasSuffix(suffix) {
            number = number.dropLast(suffix.count)
            scale = factor
            break
        }
        guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
        let seconds = value * scale
        return seconds <= 86_400 ? seconds : nil
    }

    /// Parses a byte count: `268435456`, or with a binary suffix `256K`, `256M`, `1G` (also
    /// `KiB`, `MiB`, `GiB`); nil for anything else or on overflow.
    public static func parseBytes(_ text: String) -> Int? {
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30),
                                      ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30)]
        var number = Substring(text.trimmingCharacters(in: .whitespaces))
        var scale = 1
        for (suffix, factor) in units where number.hasSuffix(suffix) {
            number = number.dropLast(suffix.count)
            scale = factor
            break
        }
        guard let value = Int(number), value >= 0 else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? nil : bytes
    }
}
