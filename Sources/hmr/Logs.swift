import ArgumentParser
import Foundation
import RuneLink

/// `hmr logs`: a device's console, as it comes.
struct Logs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stream a target's console: its rune's output records, trap and event lines, logs.",
        discussion: """
            Prints every console line (what is not an SMP frame) on stdout as it arrives, until \
            interrupted or --seconds have passed.
            """)

    @Option(name: .shortAndLong, help: ArgumentHelp("The target (a name or a device path).", valueName: "id"))
    var target: String

    @Option(help: "Stop after this many seconds.")
    var seconds: Double?

    func run() throws {
        do {
            let connection = try Connection(to: try Target.resolve([target])[0])
            let deadline = seconds.map { Date().addingTimeInterval($0) }
            while deadline.map({ Date() < $0 }) ?? true {
                let window = min(1.0, deadline.map { $0.timeIntervalSinceNow } ?? 1.0)
                _ = try connection.client.waitForConsoleLine(timeout: max(0, window)) { line in
                    Output.print(line)
                    return false
                }
            }
        } catch {
            throw Output.fail("\(target): \(HammerError.describe(error))")
        }
    }
}
