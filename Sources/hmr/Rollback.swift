import ArgumentParser
import Foundation
import RuneFiles
import RuneLink

/// `hmr targets rollback`: go back to the rune in the slot the device does not run.
struct Rollback: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Go back to the rune in a target's other slot.",
        discussion: """
            A device keeps the rune it ran before the last cast in its other slot. If that slot \
            holds a verified image (the device checks its SHA-256 and header again), rollback \
            confirms it with MCUmgr's image state write and waits until the device runs it. \
            RunicOS activates for good and cannot rewrite an activation record in flash, so the \
            slot it leaves is erased: rolling back twice does not roll forward; cast again instead.

            With no verified image in the other slot (nothing was cast since RunicOS was flashed, \
            or an interrupted cast already erased it), rollback refuses and changes nothing.
            """)

    @Option(name: .shortAndLong, help: ArgumentHelp("The target (a name or a device path).", valueName: "id"))
    var target: String

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    struct Report: Encodable {
        var target: String
        var slot: String
        var rune: String
        var previousSlot: String
        var previousRune: String
    }

    func run() throws {
        do {
            let chosen = try Target.resolve([target])[0]
            let client = try Connection(to: chosen).client
            let before = try client.runeInfo()
            let states = try client.imageState()
            guard let other = states.first(where: { !$0.active && $0.slot != before.slot }) else {
                let slot = before.slot.map { $0 == 0 ? "B" : "A" } ?? "A or B"
                throw HammerError("there is no verified rune to roll back to: slot \(slot) holds no valid image; nothing changed")
            }
            _ = try client.confirmImage(hash: other.hash)
            let after = try awaitSlot(other.slot, client: client)
            let report = Report(target: chosen.id, slot: after.slotName, rune: SHA256.hex(after.runeSHA256),
                                previousSlot: before.slotName, previousRune: before.hasRune ? SHA256.hex(before.runeSHA256) : "")
            Output.print(json ? Output.json(report)
                              : "\(chosen.id): rolled back to slot \(after.slotName), rune \(after.shortDigest) (was slot \(before.slotName), rune \(before.shortDigest))")
        } catch let error as SMPDeviceError {
            throw Output.fail("\(target): the device refused the rollback: \(error.reason ?? "rc \(error.returnCode)")")
        } catch {
            throw Output.fail("\(target): \(HammerError.describe(error))")
        }
    }

    /// The device's rune info once it runs from `slot`; a device that reverted instead (the
    /// rune no longer loads) is reported with what it said.
    private func awaitSlot(_ slot: Int, client: SMPClient) throws -> RuneInfo {
        let deadline = Date().addingTimeInterval(HammerLimits.activationSeconds)
        var info = try client.runeInfo()
        while info.slot != slot {
            guard Date() < deadline else {
                let said = client.consoleLines.last(where: { $0.hasPrefix("error:") || $0.contains("\"event\":\"reverted\"") })
                throw HammerError("after \(HammerLimits.activationSeconds) s the device runs slot \(info.slotName), not \(slot == 0 ? "A" : "B")"
                                  + (said.map { " (\($0))" } ?? ""))
            }
            Thread.sleep(forTimeInterval: 0.1)
            info = try client.runeInfo()
        }
        return info
    }
}
