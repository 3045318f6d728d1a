import Foundation
import RuneManifest

/// `rune run --timings`: the median, minimum and maximum time of each stage and of whole calls.
struct TimingReport {
    var calls: [UInt64]
    /// Per call, the nanoseconds of each stage.
    var stages: [[UInt64]]
    var pipeline: PipelineDescription?

    var text: String {
        var lines: [String] = []
        let nameWidth = max(12, (pipeline?.stages.map { $0.name.count + $0.detail.count + 3 }.max() ?? 0))
        func row(_ label: String, _ samples: [UInt64]) -> String {
            let sorted = samples.sorted()
            let median = Double(sorted[sorted.count / 2]) / 1e6
            let low = Double(sorted.first!) / 1e6
            let high = Double(sorted.last!) / 1e6
            return label.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                + String(format: " %10.3f %10.3f %10.3f", median, low, high)
        }
        let columns = ["median ms", "min ms", "max ms"].map { String(repeating: " ", count: 11 - $0.count) + $0 }
        lines.append("stage".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + columns.joined())
        if let pipeline, let first = stages.first, first.count == pipeline.stages.count {
            for (index, stage) in pipeline.stages.enumerated() {
                lines.append(row("\(stage.name) (\(stage.detail))", stages.map { $0[index] }))
            }
        }
        lines.append(row("call (\(calls.count)x)", calls))
        return lines.joined(separator: "\n") + "\n"
    }
}
