import Foundation
import RuneTestSupport
import Testing

/// Casts through a proxy that drops, corrupts, delays and cuts the link: each either completes
/// with the verified rune running, or fails naming its step while the previous rune keeps
/// running. Never a half-written active slot.
@Suite(.enabled(if: Executables.system("qemu-system-arm") != nil, "needs qemu-system-arm"), .serialized)
struct FaultInjectionTests {
    struct Scenario {
        var name: String
        var faults: FaultProxy.Faults
        /// Whether hmr must get through (a fault it recovers from) or may fail.
        var mustComplete: Bool
    }

    @Test func castsThroughAFaultyLinkCompleteVerifiedOrFailCleanly() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let firmware = try HammerTests.firmware(in: scratch)
        let device = try QEMUDevice(firmware: firmware, serial: .tcp, scratch: scratch)
        let port = try #require(device.port)
        let hmr = Hammer(home: scratch)
        try hmr.succeed(["targets", "add", "direct", device.address])
        let sine = try HammerTests.rune("sine")
        let microspeech = try HammerTests.rune("microspeech")
        let sineSHA = try HammerTests.sha256(of: sine)
        let microspeechSHA = try HammerTests.sha256(of: microspeech)

        let scenarios = [
            Scenario(name: "drops", faults: .init(dropRate: 0.05, seed: 7), mustComplete: true),
            Scenario(name: "corruption", faults: .init(corruptRate: 0.05, seed: 11), mustComplete: true),
            Scenario(name: "delays", faults: .init(delayRate: 0.05, delaySeconds: 0.4, seed: 13), mustComplete: true),
            Scenario(name: "two disconnects mid-transfer", faults: .init(disconnectAfterBytes: 30_000, disconnects: 2), mustComplete: true),
            Scenario(name: "a link that always breaks", faults: .init(disconnectAfterBytes: 2_000, disconnects: 1_000), mustComplete: false),
            Scenario(name: "everything at once", faults: .init(dropRate: 0.03, corruptRate: 0.03, delayRate: 0.03, delaySeconds: 0.3,
                                                               disconnectAfterBytes: 20_000, disconnects: 1, seed: 17), mustComplete: false),
        ]
        for scenario in scenarios {
            // The previous rune: sine, cast over the clean link, running and healthy.
            try hmr.succeed(["targets", "cast", "-t", "direct", sine.path], timeout: 120)
            let proxy = try FaultProxy(devicePort: port, faults: scenario.faults)
            defer { proxy.stop() }
            try hmr.succeed(["targets", "add", "faulty", "tcp://127.0.0.1:\(proxy.port)"])
            // The upload's default timeout (72 s for microspeech) bounds the worst of these; the
            // other steps' requests add well under two minutes.
            let cast = try hmr.run(["targets", "cast", "-t", "faulty", microspeech.path], timeout: 240)
            proxy.stop()
            #expect(!cast.timedOut, "\(scenario.name): hmr hung")
            let status = try hmr.status("direct")
            print("\(scenario.name): exit \(cast.status) in \(String(format: "%.1f", cast.seconds)) s; proxy dropped \(proxy.dropped), corrupted \(proxy.corrupted), delayed \(proxy.delayed), cut \(proxy.cut); \(cast.standardError.split(separator: "\n").first ?? "")")
            if cast.status == 0 {
                #expect(status["rune"] as? String == microspeechSHA, "\(scenario.name)")
                #expect(cast.standardOutput.contains("faulty: Verifying rune: OK"), "\(scenario.name)")
            } else {
                #expect(!scenario.mustComplete, "\(scenario.name): \(cast.standardError)")
                #expect(cast.standardError.contains(" failed: "), "\(scenario.name): \(cast.standardError)")
                // Failed before activation: the old rune runs, and keeps calling without traps.
                if cast.standardError.contains("the previous rune keeps running") {
                    #expect(status["rune"] as? String == sineSHA, "\(scenario.name)")
                    #expect(status["traps"] as? Int == 0, "\(scenario.name)")
                } else {
                    Issue.record("\(scenario.name): failed after activation: \(cast.standardError)")
                }
            }
        }
    }

    /// A link that goes silent mid-upload (the proxy swallows everything once 30,000 bytes went
    /// towards the device, and keeps taking connections) fails the cast at its upload timeout,
    /// not after every resend and reconnect ran out (about ten minutes), saying how many bytes
    /// the device acknowledged. The previous rune keeps running, and casting the same rune again
    /// over a sound link resumes where the device stopped.
    @Test func anUploadOverALinkThatGoesSilentFailsAtItsTimeoutAndResumesLater() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let device = try QEMUDevice(firmware: try HammerTests.firmware(in: scratch), serial: .tcp, scratch: scratch)
        let hmr = Hammer(home: scratch)
        try hmr.succeed(["targets", "add", "direct", device.address])
        let sine = try HammerTests.rune("sine")
        let microspeech = try HammerTests.rune("microspeech")
        try hmr.succeed(["targets", "cast", "-t", "direct", sine.path], timeout: 120)

        let proxy = try FaultProxy(devicePort: try #require(device.port), faults: .init(stallAfterBytes: 30_000))
        defer { proxy.stop() }
        try hmr.succeed(["targets", "add", "silent", "tcp://127.0.0.1:\(proxy.port)"])
        let uploadTimeout = 15.0
        let cast = try hmr.run(["targets", "cast", "-t", "silent", "--upload-timeout", "\(Int(uploadTimeout))", microspeech.path],
                               timeout: 300)
        proxy.stop()
        print("a silent link: exit \(cast.status) in \(String(format: "%.1f", cast.seconds)) s; \(cast.standardError)")
        #expect(!cast.timedOut)
        #expect(cast.status != 0)
        // The steps before the upload take seconds; without the timeout the upload alone would
        // wait out four reconnects of two minutes each.
        #expect(cast.seconds < uploadTimeout + 45, "\(cast.standardError)")
        #expect(cast.standardError.contains("Uploading rune failed: not finished within 15 s (--upload-timeout)"), "\(cast.standardError)")
        #expect(cast.standardError.contains("cast the same rune again to resume"), "\(cast.standardError)")
        #expect(cast.standardError.contains("the previous rune keeps running"), "\(cast.standardError)")
        let acknowledged = try #require(cast.standardError.firstMatch(of: /the device acknowledged (\d+) of (\d+) bytes/)
            .flatMap { Int($0.1) }, "\(cast.standardError)")
        #expect(acknowledged > 0)
        #expect(try hmr.runningRune("direct") == (try HammerTests.sha256(of: sine)))

        let resumed = try hmr.succeed(["targets", "cast", "-t", "direct", microspeech.path], timeout: 120)
        let upload = try #require(resumed.standardOutput.split(separator: "\n").first { $0.contains("Uploading rune: OK") },
                                  "\(resumed.standardOutput)")
        print("the same rune again, directly: \(upload)")
        let resumedAt = try #require(upload.firstMatch(of: /resumed an interrupted upload at byte (\d+)/).flatMap { Int($0.1) }, "\(upload)")
        // The device may hold chunks whose answers the silent link swallowed.
        #expect(resumedAt >= acknowledged, "\(upload)")
        #expect(try hmr.runningRune("direct") == (try HammerTests.sha256(of: microspeech)))
    }

    /// The upload streams (the device reports `buf_count` 2, so two chunks are in flight) over a
    /// link paced to 115200 baud that also drops and corrupts (per 10 ms slot of 115 bytes, so
    /// about one frame in seven is hit): chunks after a lost one arrive out
    /// of step, the device names the offset it wants, and the client goes back to it. The cast
    /// completes verified, having resent bytes.
    @Test func aWindowedUploadGoesBackOverLossesAndCompletesVerified() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let device = try QEMUDevice(firmware: try HammerTests.firmware(in: scratch), serial: .tcp, scratch: scratch)
        let hmr = Hammer(home: scratch)
        let microspeech = try HammerTests.rune("microspeech")
        let proxy = try FaultProxy(devicePort: try #require(device.port),
                                   faults: .init(dropRate: 0.003, corruptRate: 0.003, baudRate: 115_200, seed: 23))
        defer { proxy.stop() }
        try hmr.succeed(["targets", "add", "lossy", "tcp://127.0.0.1:\(proxy.port)"])
        let cast = try hmr.succeed(["targets", "cast", "-t", "lossy", microspeech.path], timeout: 300)
        let upload = try #require(cast.standardOutput.split(separator: "\n").first { $0.contains("Uploading rune: OK") }, "\(cast.standardOutput)")
        print("windowed upload through drops and corruption: \(upload); proxy dropped \(proxy.dropped), corrupted \(proxy.corrupted)")
        #expect(proxy.dropped + proxy.corrupted > 0)
        #expect(upload.contains("window 2"), "\(upload)")
        #expect(upload.contains("bytes resent"), "\(upload)")
        #expect(cast.standardOutput.contains("lossy: Verifying rune: OK"), "\(cast.standardOutput)")
        #expect(try hmr.runningRune("lossy") == (try HammerTests.sha256(of: microspeech)))
    }

    /// A cast through a proxy pacing the link to 115200 baud (10 bits a byte), as a board's UART
    /// runs, completes with the rune verified. How fast is `scripts/bench-hammer`'s to measure:
    /// a test asserts nothing about time.
    @Test func aCastOverALinkPacedTo115200BaudCompletes() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let device = try QEMUDevice(firmware: try HammerTests.firmware(in: scratch), serial: .tcp, scratch: scratch)
        let hmr = Hammer(home: scratch)
        let proxy = try FaultProxy(devicePort: try #require(device.port), faults: .init(baudRate: 115_200))
        defer { proxy.stop() }
        try hmr.succeed(["targets", "add", "slow", "tcp://127.0.0.1:\(proxy.port)"])
        let cast = try hmr.succeed(["targets", "cast", "--json", "-t", "slow", try HammerTests.rune("microspeech").path], timeout: 300)
        #expect(cast.standardOutput.split(separator: "\n").contains { $0.contains("\"step\":\"verify\"") && $0.contains("\"finished\"") },
                "\(cast.standardOutput)")
        #expect(cast.standardOutput.contains("\"completed\""), "\(cast.standardOutput)")
    }
}
