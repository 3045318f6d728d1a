import ArgumentParser
import RuneFiles

/// `hmr targets ls`: every target, probed at once.
struct ListTargets: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List targets and whether they answer.",
        discussion: """
            Probes every named target and every serial port found at once, each within \
            \(HammerLimits.probeSeconds) s, by asking RunicOS what it runs. A device that does not \
            answer is listed as not available, with the reason.

            Columns: Target (what -t takes), Type (tcp, serial, or agent for a 'rune agent'), Name (its address), Available, \
            Board, RunicOS (version), Slot (of the running rune), Rune (the running rune's \
            SHA-256, first 12 digits). With --json, one object per target on stdout.
            Exit status 0 whether or not the targets answer.
            """)

    @Flag(help: "One JSON object per target instead of the table.")
    var json = false

    struct Row: Encodable {
        var target: String
        var type: String
        var name: String
        var available: Bool
        var reason: String?
        var board: String?
        var runicos: String?
        var abi: Int?
        var slot: String?
        var rune: String?
        var calls: UInt64?
        var traps: UInt64?
    }

    func run() throws {
        let targets: [Target]
        do { targets = try Target.all() } catch { throw Output.fail("\(error)") }
        let rows = Probe.all(targets).map { probe in
            Row(target: probe.target.id, type: probe.info?.isAgent == true ? "agent" : probe.target.address.kind, name: probe.target.address.description,
                available: probe.info != nil, reason: probe.failure, board: probe.info?.board,
                runicos: probe.info?.runicOSVersion, abi: probe.info?.abiVersion, slot: probe.info?.slotName,
                rune: probe.info.map { $0.hasRune ? SHA256.hex($0.runeSHA256) : "" }, calls: probe.info?.calls,
                traps: probe.info?.traps)
        }
        if json {
            rows.forEach { Output.print(Output.json($0)) }
            return
        }
        if rows.isEmpty {
            Output.diagnose("no targets: add one with 'hmr targets add NAME URL', or plug in a serial device")
            return
        }
        var table = Table(header: ["Target", "Type", "Name", "Available", "Board", "RunicOS", "Slot", "Rune"])
        for row in rows {
            table.rows.append([row.target, row.type, row.name, row.available ? "yes" : "no (\(row.reason ?? "unknown"))",
                               row.board ?? "-", row.runicos ?? "-", row.slot ?? "-",
                               row.rune.map { $0.isEmpty ? "-" : String($0.prefix(12)) } ?? "-"])
        }
        Output.print(table.text)
    }
}
