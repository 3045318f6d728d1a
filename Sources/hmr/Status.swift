import ArgumentParser
import Foundation
import RuneFiles
import RuneLink

/// `hmr targets status`: what a device runs and how it is doing.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a target's health (LibSaga): uptime, rune digest, calls, traps, times and memory.",
        discussion: """
            Reads the target's rune info: board, RunicOS (or agent) version, ABI, the active \
            slot, the running rune's SHA-256, calls and traps since the target started, its \
            uptime, and what it measures about the rune since it was loaded:
              a RunicOS device: cycles of the last call and the mean (SysTick's clock), the \
            rune's RAM and its stack's high-water mark;
              a 'rune agent': nanoseconds of the last call and the mean, and per stage of the \
            pipeline, and the rune's linear memory now and at its peak.
            The unit is always named; what a target does not measure is not shown.

            --watch reads again every \(HammerLimits.watchIntervalSeconds) s until interrupted (or \
            --count reads); with --json each read is one JSON object on its own line.
            """)

    @Option(name: .shortAndLong, help: ArgumentHelp("The target (a name or a device path).", valueName: "id"))
    var target: String

    @Flag(help: "One JSON object per read.")
    var json = false

    @Flag(help: "Keep reading.")
    var watch = false

    @Option(help: "With --watch, stop after this many reads.")
    var count: Int?

    struct Report: Encodable {
        var target: String
        var board: String
        var runicos: String
        var abi: Int
        var slot: String
        var rune: String
        var calls: UInt64
        var traps: UInt64
        var uptimeMs: UInt64
        var kind: String
        /// LibSaga, when the target measures it.
        var unit: String?
        var callLast: UInt64?
        var callMean: UInt64?
        var stages: [Stage]?
        var memoryBytes: UInt64?
        var memoryPeakBytes: UInt64?
        var stackPeakBytes: UInt64?

        struct Stage: Encodable {
            var name: String
            var last: UInt64
            var mean: UInt64
        }

        init(target: String, info: RuneInfo) {
            self.target = target
            board = info.board
            runicos = info.runicOSVersion
            abi = info.abiVersion
            slot = info.slotName
            rune = info.hasRune ? SHA256.hex(info.runeSHA256) : ""
            calls = info.calls
            traps = info.traps
            uptimeMs = info.uptimeMilliseconds
            kind = info.kind
            let health = info.health
            unit = health?.timeUnit
            callLast = health?.lastCall
            callMean = health?.meanCall
            stages = health.flatMap { $0.stages.isEmpty ? nil : $0.stages.map { Stage(name: $0.name, last: $0.last, mean: $0.mean) } }
            memoryBytes = health?.memoryBytes
            memoryPeakBytes = health?.memoryPeakBytes
            stackPeakBytes = health?.stackPeakBytes
        }
    }

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() throws {
        do {
            let chosen = try Target.resolve([target])[0]
            let connection = try Connection(to: chosen)
            var reads = 0
            repeat {
                let info = try connection.client.runeInfo()
                let report = Report(target: chosen.id, info: info)
                Output.print(json ? Output.json(report) : Self.text(report))
                reads += 1
                if watch, count.map({ reads < $0 }) ?? true { Thread.sleep(forTimeInterval: HammerLimits.watchIntervalSeconds) }
            } while watch && count.map({ reads < $0 }) ?? true
        } catch {
            throw Output.fail("\(target): \(HammerError.describe(error))")
        }
    }

    static func text(_ report: Report) -> String {
        let seconds = Double(report.uptimeMs) / 1000
        let provider = report.kind == "agent" ? report.runicos : "RunicOS \(report.runicos), ABI \(report.abi)"
        var lines = [
            "Target   \(report.target)",
            "Board    \(report.board) (\(provider))",
            "Uptime   \(String(format: "%.1f", seconds)) s",
            "Rune     \(report.rune.isEmpty ? "none" : report.rune) (slot \(report.slot))",
            "Calls    \(report.calls)",
            "Traps    \(report.traps)",
        ]
        if let unit = report.unit {
            if let last = report.callLast, let mean = report.callMean {
                lines.append("Call     last \(amount(last, unit)), mean \(amount(mean, unit))")
            }
            if let stages = report.stages {
                let width = stages.map(\.name.count).max() ?? 0
                lines.append("Stages   \(unit == "ns" ? "last / mean" : "last / mean, \(unit)")")
                for stage in stages {
                    lines.append("  \(stage.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(amount(stage.last, unit)) / \(amount(stage.mean, unit))")
                }
            }
        }
        if let memory = report.memoryBytes {
            lines.append("Memory   \(memory) bytes" + (report.memoryPeakBytes.map { ", peak \($0) bytes" } ?? ""))
        }
        if let stack = report.stackPeakBytes { lines.append("Stack    peak \(stack) bytes") }
        return lines.joined(separator: "\n")
    }

    /// `1.234 ms` for nanoseconds (with the unit named), `12,345 cycles` otherwise.
    static func amount(_ value: UInt64, _ unit: String) -> String {
        if unit == "ns" {
            return value >= 1_000_000 ? String(format: "%.3f ms", Double(value) / 1e6) : String(format: "%.1f µs", Double(value) / 1e3)
        }
        return "\(value) \(unit)"
    }
}
