import Foundation
import RuneManifest

/// `rune run --timings`: the median, minimum and maximum time of each stage and of whole calls.
struct TimingReport {
    var calls: [UInt64]
    /// Per call, the nanoseconds of each stage.
    var stages: [[UInt64]]
    var pipeline: PipelineDescription?
    /// The AOT engine's translation to native code, before the first call; nil on the interpreter.
    var translationSeconds: Double? = nil

    var text: String {
        var lines: [String] = []
        let nameWidth = max(12, (pipeline?.stages.map { $0.name.count + $0.detail.count + 3 }.max() ?? 0))
        func row(_ label: String, _ samples: [UInt64]) -> String {
            let sorted = samples.sorted()
            let median = Double(sorted[sorted.count / 2]) / 1e6
            let low = Double(sorted.first!) / 1e6
            let high = Double(sorted.last!) / 1e6
            return label.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                // 0.1 µs: a call of a small pipeline takes a few microseconds.
                + String(format: " %10.4f %10.4f %10.4f", median, low, high)
        }
        let columns = ["median ms", "min ms", "max ms"].map { String(repeating: " ", count: 11 - $0.count) + $0 }
        lines.append("stage".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + columns.joined())
        if let pipeline, let first = stages.first, first.count == pipeline.stages.count {
            for (index, stage) in pipeline.stages.enumerated() {
                lines.append(row("\(stage.name) (\(stage.detail))", stages.map { $0[index] }))
            }
        }
        lines.append(row("call (\(calls.count)x)", calls))
        // Totals for overhead experiments over N calls; translation is apart from every call.
        lines.append("calls total ms".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                     + String(format: " %10.3f", Double(calls.reduce(0, +)) / 1e6))
        if let translationSeconds {
            lines.append("translation ms".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                         + String(format: " %10.3f", translationSeconds * 1e3))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
