import Foundation
import RuneFiles
import RuneLink
import RuneManifest
import RuneTestSupport
import Testing

/// RunicOS on QEMU with its UART on a loopback TCP port: runes deployed over the serial link
/// (MCUmgr SMP) land in the inactive slot, are verified, and run next; what fails verification,
/// or needs what the board lacks, never replaces the running rune.
@Suite(.enabled(if: Executables.system("qemu-system-arm") != nil, "needs qemu-system-arm"), .serialized)
struct RunicOSLinkTests {
    /// QEMU running a RunicOS image, its serial line reached through `client`.
    final class Device {
        let process = Process()
        let client: SMPClient

        init(firmware: URL) throws {
            let port = try Executables.freeLoopbackPort()
            process.executableURL = try #require(Executables.system("qemu-system-arm"))
            process.arguments = ["-M", "mps2-an500", "-display", "none", "-monitor", "none",
                                 "-serial", "tcp:127.0.0.1:\(port),server=on,wait=on",
                                 "-semihosting-config", "enable=on,target=native", "-kernel", firmware.path]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            var link: TCPByteLink?
            let deadline = Date().addingTimeInterval(20)
            while link == nil, Date() < deadline, process.isRunning {
                link = try? TCPByteLink(port: port)
                if link == nil { Thread.sleep(forTimeInterval: 0.1) }
            }
            guard let link else {
                kill(process.processIdentifier, SIGKILL)
                throw LinkTestError("QEMU did not listen on port \(port)")
            }
            client = SMPClient(link: link, timeout: 5, retries: 2)
        }


        /// The next console line containing `text`, within `timeout` seconds.
        func line(containing text: String, timeout: Double = 30) throws -> String {
            guard let line = try client.waitForConsoleLine(timeout: timeout, where: { $0.contains(text) }) else {
                throw LinkTestError("no line with \(text) within \(timeout) s; last lines:\n" + client.consoleLines.suffix(10).joined(separator: "\n"))
            }
            return line
        }

        deinit {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
    }

    struct LinkTestError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func runec(_ arguments: [String], in folder: URL? = nil) throws {
        let result = try Executables.run("runec", arguments, in: folder)
        try #require(result.status == 0, "runec \(arguments.joined(separator: " ")) failed:\n\(result.standardError)")
    }

    /// `rune` (a .rune file) as a container image for slot `slot`.
    static func image(_ rune: URL, slot: String, in scratch: URL) throws -> [UInt8] {
        let image = scratch.appendingPathComponent("\(rune.deletingPathExtension().lastPathComponent)-\(slot).rimg")
        try runec(["aot", rune.path, "--board", "mps2-an500", "--slot", slot, "-o", image.path])
        return try [UInt8](Data(contentsOf: image))
    }

    /// `image` with `edit` applied, and its SHA-256 trailer made to match again: what a broken
    /// or hostile build could produce, which only the device's own checks stand against.
    static func resealed(_ image: [UInt8], _ edit: (inout [UInt8]) -> Void) -> [UInt8] {
        var body = Array(image.dropLast(32))
        edit(&body)
        return body + SHA256.hash(body)
    }

    @Test func runesSwapSlotsAndWhatFailsVerificationNeverReplacesTheRunningRune() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let sineFolder = Fixtures.folder("hotg", "sine")
        let sine = scratch.appendingPathComponent("sine.rune")
        try Self.runec([sineFolder.appendingPathComponent("Runefile.yml").path, "-o", sine.path])
        let storing = scratch.appendingPathComponent("storing.rune")
        try Data(try AOTCortexMTests.storingRune(at: 65532)).write(to: storing)
        let hostile = scratch.appendingPathComponent("hostile.rune")
        try Data(try AOTCortexMTests.storingRune(at: 65533)).write(to: hostile)
        let firmware = scratch.appendingPathComponent("runicos.elf")
        try Self.runec(["runicos", "--board", "mps2-an500", "--rune", sine.path, "--embed-input",
                        "rand=\(sineFolder.appendingPathComponent("input.bin").path)", "--iterations", "2", "-o", firmware.path])

        let device = try Device(firmware: firmware)
        let sineRecord = #"{"serial":[{"type":"f32","dimensions":[1,1],"elements":[0.9586351]}]}"#
        #expect(try device.line(containing: "serial") == sineRecord)
        #expect(try device.client.echo("hello") == "hello")
        var info = try device.client.runeInfo()
        #expect(info.slot == 0)
        #expect(info.runeSHA256 == SHA256.hash(try [UInt8](Data(contentsOf: sine))))

        // A new rune goes to slot B and runs next.
        try device.client.upload(image: try Self.image(storing, slot: "b", in: scratch))
        #expect(try device.line(containing: "elements\":[0,0,0,7]").hasPrefix(#"{"serial":[{"type":"i32""#))
        info = try device.client.runeInfo()
        #expect(info.slot == 1)

        // A corrupted image, and one linked for the slot it would not land in, are refused; the
        // rune in B keeps running.
        var corrupted = try Self.image(sine, slot: "a", in: scratch)
        corrupted[corrupted.count / 2] ^= 0x40
        #expect(throws: SMPDeviceError.self) { try device.client.upload(image: corrupted) }
        #expect(throws: SMPDeviceError.self) { try device.client.upload(image: try Self.image(sine, slot: "b", in: scratch)) }
        #expect(try device.client.runeInfo().slot == 1)

        // A rune whose manifest claims a capability the board lacks (sealed as a hostile build
        // could): refused before any of its code runs, and the rune before it comes back.
        let camera = Self.resealed(try Self.image(sine, slot: "a", in: scratch)) { body in
            let raw = Array("RAW".utf8), image = Array("IMG".utf8)  // same length: offsets stay
            if let at = (0..<(body.count - 3)).last(where: { Array(body[$0..<$0 + 3]) == raw }) { body.replaceSubrange(at..<at + 3, with: image) }
        }
        try device.client.upload(image: camera)
        #expect(try device.line(containing: "error:").contains("which board mps2-an500 does not provide"))
        #expect(try device.line(containing: "reverted") == #"{"event":"reverted","slot":"B"}"#)
        #expect(try device.client.runeInfo().slot == 1)

        // A rune that traps is stopped with one line; the OS then takes and runs a good rune.
        try device.client.upload(image: try Self.image(hostile, slot: "a", in: scratch))
        let trap = try device.line(containing: "\"error\":\"trap\"")
        #expect(trap.contains(#""reason":"out of bounds memory access","function":"_call","slot":"A""#), "\(trap)")
        #expect(try device.client.echo("still there") == "still there")
        try device.client.upload(image: try Self.image(sine, slot: "b", in: scratch))
        #expect(try device.line(containing: "serial") == sineRecord)
        #expect(try device.client.runeInfo().traps == 1)
    }

    @Test func aRuneFedByTheHostRunsOncePerStreamedTensor() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let folder = Fixtures.folder("hotg", "noop")
        let noop = scratch.appendingPathComponent("noop.rune")
        try Self.runec([folder.appendingPathComponent("Runefile").path, "-o", noop.path])
        let input = Fixtures.folder("runes", "raw-i32").appendingPathComponent("input.bin")
        let host = try Executables.run("rune", ["run", noop.path, "--raw", "input=\(input.path)"])
        try #require(host.status == 0, "\(host.standardError)")
        let firmware = scratch.appendingPathComponent("runicos.elf")
        try Self.runec(["runicos", "--board", "mps2-an500", "-o", firmware.path])

        let device = try Device(firmware: firmware)
        #expect(try device.client.runeInfo().slot == nil, "no rune yet")
        try device.client.upload(image: try Self.image(noop, slot: "a", in: scratch))
        #expect(try device.client.runeInfo().slot == 0)
        // Nothing embedded, nothing generated: the rune waits for its input, then runs once per
        // whole tensor, which arrives here in chunks of 7 bytes.
        let tensor = try [UInt8](Data(contentsOf: input))
        for _ in 0..<2 {
            try device.client.streamInput(index: 0, data: tensor, chunkSize: 7)
            #expect(try device.line(containing: "serial") == host.standardOutput.trimmingCharacters(in: .newlines))
        }
        #expect(try device.client.runeInfo().calls == 2)
        // A chunk out of order, or more than the tensor holds, is refused and changes nothing.
        #expect(throws: SMPDeviceError.self) {
            try device.client.request(.write, group: 64, command: 1, body: .map(["index": .unsigned(0), "off": .unsigned(8), "data": .bytes([1, 2])]))
        }
        #expect(throws: SMPDeviceError.self) { try device.client.streamInput(index: 0, data: tensor + [0]) }
        #expect(throws: SMPDeviceError.self) { try device.client.streamInput(index: 1, data: tensor) }
        #expect(try device.client.runeInfo().calls == 2)
    }
}
