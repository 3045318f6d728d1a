import Foundation
import RuneFiles
import RuneLink
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
