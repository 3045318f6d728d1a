import Foundation

/// What a cast reports as it goes; called from the threads of several casts at once.
protocol CastReporter: AnyObject, Sendable {
    func started(_ target: String, _ step: CastStep)
    /// `done` of `total` units (bytes) of a step that has a measure.
    func progress(_ target: String, _ step: CastStep, done: Int, total: Int)
    func finished(_ target: String, _ step: CastStep, detail: String)
    func failed(_ target: String, _ failure: CastFailure)
    /// The whole cast of `target` succeeded.
    func completed(_ target: String, seconds: Double)
}

/// Plain lines, one per step, and upload progress every quarter: for logs and pipes.
final class PlainCastReporter: CastReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var lastQuarter: [String: Int] = [:]

    func started(_ target: String, _ step: CastStep) {}

    func progress(_ target: String, _ step: CastStep, done: Int, total: Int) {
        let quarter = total == 0 ? 4 : done * 4 / total
        let report: Bool = lock.withLock {
            guard quarter > (lastQuarter[target] ?? 0), quarter < 4 else { return false }
            lastQuarter[target] = quarter
            return true
        }
        if report { Output.print("\(target): \(step.title): \(quarter * 25)% (\(done) of \(total) bytes)") }
    }

    func finished(_ target: String, _ step: CastStep, detail: String) {
        Output.print("\(target): \(step.title): OK\(detail.isEmpty ? "" : " (\(detail))")")
    }

    func failed(_ target: String, _ failure: CastFailure) {
        Output.diagnose("error: \(target): \(failure)")
    }

    func completed(_ target: String, seconds: Double) {
        Output.print("\(target): cast in \(String(format: "%.1f", seconds)) s")
    }
}

/// One JSON object per event on stdout, for machines.
final class JSONCastReporter: CastReporter, @unchecked Sendable {
    struct Event: Encodable {
        var target: String
        var event: String
        var step: CastStep?
        var done: Int?
        var total: Int?
        var detail: String?
        var error: String?
        var previousRuneRuns: Bool?
        var seconds: Double?
    }

    func started(_ target: String, _ step: CastStep) {
        Output.print(Output.json(Event(target: target, event: "started", step: step)))
    }

    func progress(_ target: String, _ step: CastStep, done: Int, total: Int) {
        Output.print(Output.json(Event(target: target, event: "progress", step: step, done: done, total: total)))
    }

    func finished(_ target: String, _ step: CastStep, detail: String) {
        Output.print(Output.json(Event(target: target, event: "finished", step: step, detail: detail)))
    }

    func failed(_ target: String, _ failure: CastFailure) {
        Output.print(Output.json(Event(target: target, event: "failed", step: failure.step, error: failure.reason,
                                       previousRuneRuns: failure.previousRuneRuns)))
    }

    func completed(_ target: String, seconds: Double) {
        Output.print(Output.json(Event(target: target, event: "completed", seconds: (seconds * 1000).rounded() / 1000)))
    }
}

/// Progress bars on a terminal: finished steps scroll up as lines, and below them one live line
/// per target with its current step's bar, redrawn in place.
final class TerminalCastReporter: CastReporter, @unchecked Sendable {
    private let lock = NSLock()
    private let targets: [String]
    private var live: [String: String] = [:]
    private var drawnLines = 0
    private static let barWidth = 30

    init(targets: [String]) {
        self.targets = targets
    }

    func started(_ target: String, _ step: CastStep) {
        update(target, permanent: nil, live: "\(target): \(step.title) ...")
    }

    func progress(_ target: String, _ step: CastStep, done: Int, total: Int) {
        let filled = total == 0 ? Self.barWidth : done * Self.barWidth / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: Self.barWidth - filled)
        let percent = total == 0 ? 100 : done * 100 / total
        update(target, permanent: nil, live: "\(target): \(step.title) [\(bar)] \(percent)%")
    }

    func finished(_ target: String, _ step: CastStep, detail: String) {
        update(target, permanent: "\(target): \(step.title) [\(String(repeating: "#", count: Self.barWidth))] OK\(detail.isEmpty ? "" : " (\(detail))")", live: "")
    }

    func failed(_ target: String, _ failure: CastFailure) {
        update(target, permanent: "\(target): \(failure.step.title) FAILED: \(failure.reason)\(failure.previousRuneRuns ? "; the previous rune keeps running" : "")", live: "")
    }

    func completed(_ target: String, seconds: Double) {
        update(target, permanent: "\(target): cast in \(String(format: "%.1f", seconds)) s", live: "")
    }

    private func update(_ target: String, permanent: String?, live line: String) {
        lock.withLock {
            var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A\u{1B}[J" : ""
            if let permanent { text += permanent + "\n" }
            live[target] = line
            let lines = targets.compactMap { live[$0] }.filter { !$0.isEmpty }
            for line in lines { text += line + "\n" }
            drawnLines = lines.count
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
