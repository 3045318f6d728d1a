import Foundation
import RuneFiles
import RuneTestSupport
import Testing

/// `hmr` against RunicOS on QEMU: three devices with their UART on loopback TCP and one on a pty
/// (the termios path), casting, running, reporting and refusing.
@Suite(.enabled(if: Executables.system("qemu-system-arm") != nil, "needs qemu-system-arm"), .serialized)
struct HammerTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func sha256(of file: URL) throws -> String { hex(SHA256.hash(try [UInt8](Data(contentsOf: file)))) }

    /// RunicOS without a rune, waiting for the host.
    static func firmware(in scratch: URL) throws -> URL {
        let firmware = scratch.appendingPathComponent("runicos.elf")
        let result = try Executables.run("runec", ["runicos", "--board", "mps2-an500", "-o", firmware.path], timeout: 300)
        try #require(result.status == 0, "runec runicos failed:\n\(result.standardError)")
        return firmware
    }

    static func rune(_ name: String) throws -> URL {
        try BuiltRunes.rune(Fixtures.runefile(in: Fixtures.folder("hotg", name)))
    }

    @Test func targetsAreAddedListedAndRemoved() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let hmr = Hammer(home: scratch)
        let port = try Executables.freeLoopbackPort() // nothing listens there
        try hmr.succeed(["targets", "add", "nowhere", "tcp://127.0.0.1:\(port)"])
        let listed = try hmr.succeed(["targets", "ls", "--json"], timeout: 30)
        let row = try #require(listed.standardOutput.split(separator: "\n").first { $0.contains("\"target\":\"nowhere\"") })
        #expect(row.contains("\"available\":false"))
        #expect(row.contains("connect: Connection refused"), "\(row)")
        let table = try hmr.succeed(["targets", "ls"], timeout: 30).standardOutput
        #expect(table.hasPrefix("Target"), "\(table)")
        #expect(table.contains("nowhere") && table.contains("no (connect: Connection refused)"), "\(table)")

        // A serial target keeps its baud rate; a port that is not there says so.
        try hmr.succeed(["targets", "add", "usb", "serial:///dev/ttyUSB-hammer-test?baud=921600"])
        let serial = try hmr.succeed(["targets", "ls", "--json"], timeout: 30).standardOutput
        let usb = try #require(serial.split(separator: "\n").first { $0.contains("\"target\":\"usb\"") })
        #expect(usb.contains("\"name\":\"serial:///dev/ttyUSB-hammer-test?baud=921600\"") && usb.contains("\"type\":\"serial\""), "\(usb)")
        #expect(usb.contains("open /dev/ttyUSB-hammer-test: No such file or directory"), "\(usb)")
        try hmr.succeed(["targets", "rm", "usb"])

        // Bad addresses are refused with a usage error; an unknown name on rm is an error.
        #expect(try hmr.run(["targets", "add", "bad", "tcp://127.0.0.1"]).status == 64)
        #expect(try hmr.run(["targets", "add", "bad", "serial:///dev/ttyACM0?baud=12345"]).status == 64)
        try hmr.succeed(["targets", "rm", "nowhere"])
        #expect(try hmr.run(["targets", "rm", "nowhere"]).status == 1)
        #expect(!(try hmr.succeed(["targets", "ls", "--json"], timeout: 30).standardOutput.contains("nowhere")))
    }

    @Test func castToFourDevicesThenRunAsRuneRunDoesAndRefuseWhatTheBoardLacks() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let firmware = try Self.firmware(in: scratch)
        let devices = try [QEMUDevice.Serial.tcp, .tcp, .tcp, .pty].map { try QEMUDevice(firmware: firmware, serial: $0, scratch: scratch) }
        let hmr = Hammer(home: scratch)
        let names = ["dev1", "dev2", "dev3", "pty"]
        for (name, device) in zip(names, devices) { try hmr.succeed(["targets", "add", name, device.address]) }

        let listed = try hmr.succeed(["targets", "ls", "--json"], timeout: 30).standardOutput
        for name in names {
            let row = try #require(listed.split(separator: "\n").first { $0.contains("\"target\":\"\(name)\"") }, "\(listed)")
            #expect(row.contains("\"available\":true") && row.contains("\"board\":\"mps2-an500\""), "\(row)")
        }
        #expect(listed.contains("\"type\":\"serial\"") && listed.contains("\"type\":\"tcp\""))

        // sine (fed by the host through its RAW capability): cast to every target that answers,
        // at once, health-checked by a first call fed zeros.
        let sine = try Self.rune("sine")
        let sineCast = try hmr.succeed(["targets", "cast", "--all", sine.path], timeout: 300)
        for name in names {
            #expect(sineCast.standardOutput.contains("\(name): Health check: OK"), "\(sineCast.standardOutput)")
            let status = try hmr.status(name)
            #expect(status["rune"] as? String == (try Self.sha256(of: sine)))
            #expect((status["calls"] as? Int ?? 0) > 0 && status["traps"] as? Int == 0, "\(status)")
        }

        // microspeech is fed by the host: cast (JSON events), then fed a recording.
        let microspeech = try Self.rune("microspeech")
        let start = Date()
        let cast = try hmr.succeed(["targets", "cast", "--json", "-t", "dev1,dev2,dev3", microspeech.path], timeout: 600)
        let castSeconds = Date().timeIntervalSince(start)
        #expect(cast.standardOutput.split(separator: "\n").filter { $0.contains("\"event\":\"completed\"") }.count == 3)
        print("cast microspeech to three devices in \(String(format: "%.1f", castSeconds)) s")
        try hmr.succeed(["targets", "cast", "-t", "pty", microspeech.path], timeout: 300)
        for name in names { #expect(try hmr.runningRune(name) == (try Self.sha256(of: microspeech))) }

        let folder = Fixtures.folder("hotg", "microspeech")
        for clip in ["data/up/84d1e469_nohash_0.wav", "data/down/cd85758f_nohash_0.wav"] {
            let wav = folder.appendingPathComponent(clip).path
            let host = try Executables.run("rune", ["run", microspeech.path, "--sound", wav], timeout: 120)
            try #require(host.status == 0, "\(host.standardError)")
            for name in ["dev1", "pty"] {
                let device = try hmr.succeed(["run", "-t", name, "--sound", wav], timeout: 120)
                #expect(device.standardOutput == host.standardOutput, "\(name) \(clip)")
                #expect(!device.standardOutput.isEmpty)
            }
        }
        let twice = try hmr.succeed(["run", "-t", "dev2", "--sound", folder.appendingPathComponent("data/up/84d1e469_nohash_0.wav").path, "--repeat", "2"])
        #expect(twice.standardOutput.split(separator: "\n").count == 2 * (try Executables.run("rune", ["run", microspeech.path, "--sound", folder.appendingPathComponent("data/up/84d1e469_nohash_0.wav").path]).standardOutput.split(separator: "\n").count))

        // person_detection needs an IMAGE capability, which mps2-an500 lacks: refused before any
        // upload, the capability named; microspeech keeps running.
        let person = try Self.rune("person_detection")
        let refused = try hmr.run(["targets", "cast", "-t", "dev3", person.path], timeout: 120)
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("Checking capabilities failed"), "\(refused.standardError)")
        #expect(refused.standardError.contains("of kind IMAGE, which board mps2-an500 does not provide"), "\(refused.standardError)")
        #expect(!refused.standardOutput.contains("Uploading rune"), "\(refused.standardOutput)")
        #expect(try hmr.runningRune("dev3") == (try Self.sha256(of: microspeech)))

        // Status in words, and the console; LibSaga's cycles, RAM and stack, which a call moves.
        let status = try hmr.succeed(["targets", "status", "-t", "dev1"]).standardOutput
        #expect(status.contains("Board    mps2-an500") && status.contains("Traps    0"), "\(status)")
        #expect(status.contains("Call     last ") && status.contains(" cycles, mean ") && status.contains("Stack    peak "), "\(status)")
        let saga = try hmr.status("dev1")
        #expect(saga["unit"] as? String == "cycles" && (saga["memoryBytes"] as? Int ?? 0) > 0 && (saga["stackPeakBytes"] as? Int ?? 0) > 0, "\(saga)")
        try hmr.succeed(["run", "-t", "dev1", "--sound", folder.appendingPathComponent("data/up/84d1e469_nohash_0.wav").path])
        let moved = try hmr.status("dev1")
        #expect(moved["calls"] as? Int == (saga["calls"] as? Int ?? 0) + 1 && (moved["callLast"] as? Int ?? 0) > 0, "\(saga)\n\(moved)")
        let watched = try hmr.succeed(["targets", "status", "-t", "dev1", "--json", "--watch", "--count", "2"], timeout: 30)
        #expect(watched.standardOutput.split(separator: "\n").count == 2)
        withExtendedLifetime(devices) {}
    }

    /// `hmr targets rollback` goes back to the rune in the other slot, and refuses (changing
    /// nothing) when that slot holds no verified image: before any cast, after the first, and
    /// after a rollback (which erased the slot it left).
    @Test func rollbackReturnsToTheOtherSlotsRuneOrRefuses() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let device = try QEMUDevice(firmware: try Self.firmware(in: scratch), serial: .tcp, scratch: scratch)
        let hmr = Hammer(home: scratch)
        try hmr.succeed(["targets", "add", "q", device.address])
        let refusal = "there is no verified rune to roll back to"

        let empty = try hmr.run(["targets", "rollback", "-t", "q"], timeout: 30)
        #expect(empty.status == 1 && empty.standardError.contains(refusal), "\(empty.standardError)")

        let sine = try Self.rune("sine"), microspeech = try Self.rune("microspeech")
        try hmr.succeed(["targets", "cast", "-t", "q", sine.path], timeout: 300)
        let first = try hmr.run(["targets", "rollback", "-t", "q"], timeout: 30)
        #expect(first.status == 1 && first.standardError.contains(refusal), "\(first.standardError)")
        #expect(try hmr.runningRune("q") == (try Self.sha256(of: sine)))

        try hmr.succeed(["targets", "cast", "-t", "q", microspeech.path], timeout: 300)
        let before = try hmr.status("q")
        #expect(before["rune"] as? String == (try Self.sha256(of: microspeech)) && before["slot"] as? String == "B", "\(before)")
        let rolled = try hmr.succeed(["targets", "rollback", "-t", "q", "--json"], timeout: 30)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(rolled.standardOutput.utf8)) as? [String: Any])
        #expect(report["slot"] as? String == "A" && report["previousSlot"] as? String == "B", "\(report)")
        #expect(report["rune"] as? String == (try Self.sha256(of: sine)), "\(report)")
        let after = try hmr.status("q")
        #expect(after["rune"] as? String == (try Self.sha256(of: sine)) && after["slot"] as? String == "A" && after["traps"] as? Int == 0,
                "\(after)")
        // sine runs again: fed by the host, it answers as `rune run` does.
        let input = Fixtures.folder("hotg", "sine").appendingPathComponent("input.bin").path
        let host = try Executables.run("rune", ["run", sine.path, "--raw", input], timeout: 60)
        let fed = try hmr.succeed(["run", "-t", "q", "--raw", input], timeout: 60)
        #expect(host.status == 0 && !fed.standardOutput.isEmpty && fed.standardOutput == host.standardOutput, "\(fed.standardOutput) vs \(host.standardOutput)")

        // The slot it left was erased: nothing to roll back to, and sine keeps running.
        let again = try hmr.run(["targets", "rollback", "-t", "q"], timeout: 30)
        #expect(again.status == 1 && again.standardError.contains(refusal), "\(again.standardError)")
        #expect(try hmr.runningRune("q") == (try Self.sha256(of: sine)))
    }

    /// `hmr logs` streams what a rune prints by itself: RunicOS's built-in sine, fed from an
    /// embedded input, calls forever.
    @Test func logsStreamTheConsole() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let sine = try Self.rune("sine")
        let firmware = scratch.appendingPathComponent("runicos-sine.elf")
        let input = Fixtures.folder("hotg", "sine").appendingPathComponent("input.bin").path
        let build = try Executables.run("runec", ["runicos", "--board", "mps2-an500", "--rune", sine.path, "--embed-input", "rand=\(input)",
                                                  "-o", firmware.path], timeout: 300)
        try #require(build.status == 0, "\(build.standardError)")
        let device = try QEMUDevice(firmware: firmware, serial: .tcp, scratch: scratch)
        let hmr = Hammer(home: scratch)
        try hmr.succeed(["targets", "add", "q", device.address])
        let logs = try hmr.succeed(["logs", "-t", "q", "--seconds", "2"], timeout: 30)
        let lines = logs.standardOutput.split(separator: "\n")
        #expect(lines.count >= 3, "\(logs.standardOutput)")
        // The first line may be the tail of one printed before hmr attached.
        #expect(lines.dropFirst().allSatisfy { $0 == #"{"serial":[{"type":"f32","dimensions":[1,1],"elements":[0.9586351]}]}"# }, "\(logs.standardOutput)")
        // The device feeds itself: hmr run prints its next records.
        let run = try hmr.succeed(["run", "-t", "q", "--rune", sine.path, "--repeat", "2"], timeout: 60)
        #expect(run.standardOutput == String(repeating: #"{"serial":[{"type":"f32","dimensions":[1,1],"elements":[0.9586351]}]}"# + "\n", count: 2))
    }
}
