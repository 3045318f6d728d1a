import Foundation
import RuneFiles
import RuneLink
import RuneManifest
import WAT
import RuneTestSupport
import Testing

/// `hmr` against `rune agent` on loopback: the host runtime acting as a device.
@Suite(.serialized)
struct RuneAgentTests {
    /// `hmr targets status -t ID --json`'s number under `key`.
    static func number(_ status: [String: Any], _ key: String) -> Int { status[key] as? Int ?? -1 }

    @Test func castSineThenMicrospeechRunAsRuneRunDoesAndRefuseWhatTheAgentDoesNotServe() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let agent = try RuneAgentProcess(stateFolder: scratch.appendingPathComponent("state"), scratch: scratch, arguments: ["--deny", "image"])
        let hmr = Hammer(home: scratch)
        try hmr.succeed(["targets", "add", "gw", agent.address])

        let listed = try hmr.succeed(["targets", "ls", "--json"], timeout: 30).standardOutput
        let row = try #require(listed.split(separator: "\n").first { $0.contains("\"target\":\"gw\"") }, "\(listed)")
        #expect(row.contains("\"type\":\"agent\"") && row.contains("\"available\":true") && row.contains("\"board\":\"host-"), "\(row)")

        // sine reads RAND, which the agent serves itself: it calls it every second.
        let sine = try HammerTests.rune("sine")
        let sineCast = try hmr.succeed(["targets", "cast", "-t", "gw", sine.path], timeout: 120)
        #expect(sineCast.standardOutput.contains("gw: Preparing image: OK (slot A, the .rune itself"), "\(sineCast.standardOutput)")
        #expect(sineCast.standardOutput.contains("gw: Health check: OK"), "\(sineCast.standardOutput)")
        #expect(try hmr.runningRune("gw") == (try HammerTests.sha256(of: sine)))

        let microspeech = try HammerTests.rune("microspeech")
        let cast = try hmr.succeed(["targets", "cast", "-t", "gw", microspeech.path], timeout: 120)
        #expect(cast.standardOutput.contains("gw: Activating: OK (slot B"), "\(cast.standardOutput)")
        #expect(try hmr.runningRune("gw") == (try HammerTests.sha256(of: microspeech)))

        // hmr run prints what rune run prints, and hmr logs shows the same lines.
        let folder = Fixtures.folder("hotg", "microspeech")
        let logs = Process()
        logs.executableURL = Executables.url("hmr")
        logs.arguments = ["logs", "-t", "gw", "--seconds", "6"]
        logs.environment = ProcessInfo.processInfo.environment.merging(hmr.environment) { _, new in new }
        let logged = Pipe()
        logs.standardOutput = logged
        logs.standardError = FileHandle.nullDevice
        try logs.run()
        Thread.sleep(forTimeInterval: 1)
        var printed = ""
        for clip in ["data/up/84d1e469_nohash_0.wav", "data/down/cd85758f_nohash_0.wav"] {
            let wav = folder.appendingPathComponent(clip).path
            let host = try Executables.run("rune", ["run", microspeech.path, "--sound", wav], timeout: 120)
            try #require(host.status == 0, "\(host.standardError)")
            let remote = try hmr.succeed(["run", "-t", "gw", "--sound", wav], timeout: 120)
            #expect(remote.standardOutput == host.standardOutput, "\(clip)")
            #expect(!remote.standardOutput.isEmpty)
            printed += remote.standardOutput
        }
        let logDeadline = Date().addingTimeInterval(30)
        while logs.isRunning, Date() < logDeadline { Thread.sleep(forTimeInterval: 0.1) }
        if logs.isRunning { kill(logs.processIdentifier, SIGKILL) }
        let streamed = String(decoding: logged.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let records = streamed.split(separator: "\n").filter { !$0.contains("\"event\"") }.map { $0 + "\n" }.joined()
        #expect(records == printed, "hmr logs:\n\(streamed)")

        // LibSaga: calls, traps, per-stage nanoseconds and memory, which move with a call.
        let before = try hmr.status("gw")
        #expect(before["unit"] as? String == "ns" && Self.number(before, "traps") == 0, "\(before)")
        let stages = try #require(before["stages"] as? [[String: Any]], "\(before)")
        #expect(stages.map { $0["name"] as? String ?? "" } == ["audio", "fft", "noise_filtering", "model", "most_confident", "label", "serial"])
        #expect(stages.allSatisfy { ($0["last"] as? Int ?? 0) > 0 && ($0["mean"] as? Int ?? 0) > 0 }, "\(stages)")
        #expect(Self.number(before, "memoryBytes") >= 65536 && Self.number(before, "memoryPeakBytes") >= Self.number(before, "memoryBytes"))
        try hmr.succeed(["run", "-t", "gw", "--sound", folder.appendingPathComponent("data/up/84d1e469_nohash_0.wav").path, "--repeat", "2"])
        let after = try hmr.status("gw")
        #expect(Self.number(after, "calls") == Self.number(before, "calls") + 2, "\(before)\n\(after)")
        #expect(Self.number(after, "callLast") > 0 && Self.number(after, "callMean") > 0)
        #expect((after["stages"] as? [[String: Any]])?.map { $0["last"] as? Int ?? 0 } != stages.map { $0["last"] as? Int ?? 0 }, "stage times did not move")
        let words = try hmr.succeed(["targets", "status", "-t", "gw"]).standardOutput
        #expect(words.contains("Stages   last / mean") && words.contains("  model ") && words.contains("Memory   "), "\(words)")

        // person_detection reads an IMAGE, which this agent was told not to serve: refused
        // before any upload, the capability named; microspeech keeps running.
        let person = try BuiltRunes.rune(Fixtures.runefile(in: Fixtures.folder("hotg", "person_detection")))
        let refused = try hmr.run(["targets", "cast", "-t", "gw", person.path], timeout: 120)
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("of kind IMAGE, which the agent on host-"), "\(refused.standardError)")
        #expect(!refused.standardOutput.contains("Uploading rune"), "\(refused.standardOutput)")
        #expect(try hmr.runningRune("gw") == (try HammerTests.sha256(of: microspeech)))

        // A client that skips hmr's check is refused by the agent itself, before activation.
        let client = SMPClient(link: try TCPByteLink(port: agent.port))
        let bytes = try [UInt8](Data(contentsOf: person))
        #expect {
            try client.upload(image: bytes)
        } throws: { error in
            (error as? SMPDeviceError)?.reason?.contains("capability 'image' of kind IMAGE, which this host was told to deny") == true
        }
        #expect(try client.runeInfo().runeSHA256 == SHA256.hash(try [UInt8](Data(contentsOf: microspeech))))
    }

    /// An agent killed mid-upload restarts on the rune it last activated, and the upload
    /// resumes where its bytes end.
    @Test func aKilledAgentRestartsOnThePreviousRuneAndTheUploadResumes() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let state = scratch.appendingPathComponent("state")
        var agent = try RuneAgentProcess(stateFolder: state, scratch: scratch)
        let hmr = Hammer(home: scratch)
        try hmr.succeed(["targets", "add", "gw", agent.address])
        let sine = try HammerTests.rune("sine")
        try hmr.succeed(["targets", "cast", "-t", "gw", sine.path], timeout: 120)
        let image = try [UInt8](Data(contentsOf: try HammerTests.rune("microspeech")))

        struct Stop: Error {}
        var stoppedAt = 0
        let client = SMPClient(link: try TCPByteLink(port: agent.port))
        #expect(throws: Stop.self) {
            try client.upload(image: image, chunkSize: 1024) { done, total in
                if done * 2 > total {
                    stoppedAt = done
                    agent.stop() // killed with the session half written
                    throw Stop()
                }
            }
        }
        #expect(stoppedAt > 0 && stoppedAt < image.count)

        agent = try RuneAgentProcess(stateFolder: state, scratch: scratch, port: agent.port)
        let status = try hmr.status("gw")
        #expect(status["rune"] as? String == (try HammerTests.sha256(of: sine)) && status["slot"] as? String == "A", "\(status)")
        let again = SMPClient(link: try TCPByteLink(port: agent.port))
        #expect(try again.imageState().map(\.slot) == [0], "only slot A holds a rune")
        var first: Int?
        try again.upload(image: image) { done, _ in if first == nil { first = done } }
        #expect(first == stoppedAt, "the upload resumed at \(first ?? -1), not where it stopped (\(stoppedAt))")
        let deadline = Date().addingTimeInterval(10)
        var info = try again.runeInfo()
        while info.runeSHA256 != SHA256.hash(image), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
            info = try again.runeInfo()
        }
        #expect(info.runeSHA256 == SHA256.hash(image) && info.slot == 1)
    }

    /// A cast to an agent through a link cut twice mid-transfer resumes and completes verified.
    @Test func aCastThroughACutLinkResumesAndCompletes() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let agent = try RuneAgentProcess(stateFolder: scratch.appendingPathComponent("state"), scratch: scratch)
        let proxy = try FaultProxy(devicePort: agent.port, faults: .init(disconnectAfterBytes: 12_000, disconnects: 2))
        defer { proxy.stop() }
        let hmr = Hammer(home: scratch)
        try hmr.succeed(["targets", "add", "cut", "tcp://127.0.0.1:\(proxy.port)"])
        let microspeech = try HammerTests.rune("microspeech")
        let cast = try hmr.succeed(["targets", "cast", "-t", "cut", microspeech.path], timeout: 120)
        #expect(cast.standardOutput.contains("resumed after"), "\(cast.standardOutput)")
        #expect(proxy.cut >= 1)
        try hmr.succeed(["targets", "add", "direct", agent.address])
        #expect(try hmr.runningRune("direct") == (try HammerTests.sha256(of: microspeech)))
    }

    /// Seeded hostile frames (random bytes, bad CRCs, truncated, oversized, lying lengths, random
    /// CBOR bodies) for a bounded time: the agent neither crashes nor hangs, and then answers.
    @Test func theAgentSurvivesMalformedFrames() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let agent = try RuneAgentProcess(stateFolder: scratch.appendingPathComponent("state"), scratch: scratch)
        let link = try TCPByteLink(port: agent.port)
        var generator = HostileFrames(seed: 0x5EED)
        let deadline = Date().addingTimeInterval(8)
        var sent = 0
        while sent < 20_000, Date() < deadline {
            try link.write(generator.next())
            sent += 1
            // Take what it answers, so neither side blocks on a full buffer.
            if sent % 64 == 0 { while !(try link.read(timeout: 0.001)).isEmpty {} }
        }
        print("sent \(sent) hostile frames to rune agent")
        #expect(sent >= 1000)
        // A line break ends whatever half-frame is left, then the agent answers as ever.
        try link.write([0x0A])
        let client = SMPClient(link: link)
        #expect(try client.echo("still here") == "still here")
        #expect(agent.process.isRunning)
        let fresh = SMPClient(link: try TCPByteLink(port: agent.port))
        #expect(try fresh.runeInfo().isAgent)
    }
}

extension RuneAgentTests {
    /// A rune with one RAW capability (I32[1]) and one output (I32[1]): `_call` reads the
    /// capability and outputs it, but stores past its memory (an out-of-bounds trap) when it
    /// reads `trapOn`; with `trapOn` 0 it traps on the zeros of hmr's health check.
    static func trappingRune(trapOn: Int32) throws -> [UInt8] {
        let manifest = Manifest(capabilities: [.init(name: "input", kind: "RAW", tensor: TensorType(.i32, [1]), arguments: [])],
                                outputs: [.init(name: "serial", kind: "SERIAL", inputs: [TensorType(.i32, [1])], arguments: [])],
                                models: [], memoryBytes: 65536)
        let blob = manifest.encoded()
        let length = UInt32(blob.count)
        let data = ((0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + blob)
            .map { "\\" + ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let wat = """
            (module
              (import "rune" "capability_read" (func $read (param i32 i32 i32) (result i32)))
              (import "rune" "output_write" (func $write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1 1)
              (data (i32.const 1024) "\(data)")
              (func $manifest (result i32) i32.const 1024)
              (func $call (result i32)
                (drop (call $read (i32.const 0) (i32.const 0) (i32.const 4)))
                (if (i32.eq (i32.load (i32.const 0)) (i32.const \(trapOn)))
                  (then (i32.store (i32.const 65533) (i32.const 7))))
                (call $write (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 4)))
              (export "_manifest" (func $manifest))
              (export "_call" (func $call)))
            """
        return WasmCustomSection.append(name: Manifest.sectionName, payload: blob, to: try wat2wasm(wat))
    }

    /// A trap is one JSON line and the agent keeps serving; a rune whose first call fails is
    /// reverted to the one before it.
    @Test func aTrapIsOneLineAndARuneFailingItsFirstCallIsReverted() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let agent = try RuneAgentProcess(stateFolder: scratch.appendingPathComponent("state"), scratch: scratch)
        let hmr = Hammer(home: scratch)
        try hmr.succeed(["targets", "add", "gw", agent.address])
        let sometimes = scratch.appendingPathComponent("traps-on-one.rune")
        try Data(try Self.trappingRune(trapOn: 1)).write(to: sometimes)
        try hmr.succeed(["targets", "cast", "-t", "gw", sometimes.path], timeout: 120)

        let one = scratch.appendingPathComponent("one.bin"), two = scratch.appendingPathComponent("two.bin")
        try Data([1, 0, 0, 0]).write(to: one)
        try Data([2, 0, 0, 0]).write(to: two)
        let trapped = try hmr.run(["run", "-t", "gw", "--raw", one.path], timeout: 60)
        #expect(trapped.status == 1)
        #expect(trapped.standardError.contains(#"{"error":"trap","reason":"out of bounds memory access","function":"_call","slot":"A""#),
                "\(trapped.standardError)")
        // Still serving, and the same rune answers the next input as rune run does.
        let host = try Executables.run("rune", ["run", sometimes.path, "--raw", two.path], timeout: 60)
        try #require(host.status == 0, "\(host.standardError)")
        #expect(try hmr.succeed(["run", "-t", "gw", "--raw", two.path], timeout: 60).standardOutput == host.standardOutput)
        let status = try hmr.status("gw")
        #expect(Self.number(status, "traps") == 1 && status["slot"] as? String == "A", "\(status)")

        // This one traps on the health check's zeros: the cast fails, the agent goes back.
        let always = scratch.appendingPathComponent("traps-on-zero.rune")
        try Data(try Self.trappingRune(trapOn: 0)).write(to: always)
        let cast = try hmr.run(["targets", "cast", "-t", "gw", always.path], timeout: 120)
        #expect(cast.status == 1)
        #expect(cast.standardError.contains("Health check failed") && cast.standardError.contains("out of bounds memory access"), "\(cast.standardError)")
        let reverted = try hmr.status("gw")
        #expect(reverted["rune"] as? String == (try HammerTests.sha256(of: sometimes)) && reverted["slot"] as? String == "A", "\(reverted)")
        #expect(agent.logText.contains(#"{"event":"reverted","slot":"A"}"#), "\(agent.logText)")
    }
}
