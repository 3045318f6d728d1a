import ArgumentParser
import Foundation
import RuneFiles
import RuneLink

/// `hmr targets status`: what a device runs and how it is doing.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a target's health: uptime, rune digest, calls and traps.",
        discussion: """
            Reads RunicOS's rune info: board, RunicOS version, ABI, the active slot, the running \
            rune's SHA-256, its calls and traps since it was loaded, and the device's uptime. \
            RunicOS does not report per-stage cycles or memory use yet, so neither is shown.

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
                let report = Report(target: chosen.id, board: info.board, runicos: info.runicOSVersion, abi: info.abiVersion,
                                    slot: info.slotName, rune: info.hasRune ? SHA256.hex(info.runeSHA256) : "",
                                    calls: info.calls, traps: info.traps, uptimeMs: info.uptimeMilliseconds)
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
        return """
            Target   \(report.target)
            Board    \(report.board) (RunicOS \(report.runicos), ABI \(report.abi))
            Uptime   \(String(format: "%.1f", seconds)) s
            Rune     \(report.rune.isEmpty ? "none" : report.rune) (slot \(report.slot))
            Calls    \(report.calls)
            Traps    \(report.traps)
            """
    }
}
