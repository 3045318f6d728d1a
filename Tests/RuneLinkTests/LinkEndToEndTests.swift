import Foundation
import RuneFiles
@testable import RuneLink
import RuneTestSupport
import Testing

/// The Swift client against the C device side, over TCP: `link_harness.c` compiled with the host
/// cc runs the real transport, server, slots and image checks on a host buffer.
@Suite(.enabled(if: hostCCompiler != nil, "needs a host C compiler (cc or clang)"), .timeLimit(.minutes(2)))
struct LinkEndToEndTests {
    static let runeA = Array(repeating: UInt8(0xA1), count: 32)
    static let runeB = Array(repeating: UInt8(0xB2), count: 32)

    @Test func echoParametersAndAnEmptyDevice() throws {
        let harness = try LinkHarness()
        let client = try harness.client()
        #expect(try client.echo("hello, RunicOS") == "hello, RunicOS")
        #expect(try client.echo("") == "")
        let parameters = try client.parameters()
        // Two whole 2 KB frames fit the device's 8 KB receive ring: an upload streams two chunks.
        #expect(parameters.bufferSize == 2048 && parameters.bufferCount == 2)
        let info = try client.runeInfo()
        #expect(info.board == "mps2-an500" && info.abiVersion == 1 && info.slot == nil && info.runeSHA256 == Array(repeating: 0, count: 32))
        // LibSaga: the unit is named; with no rune, no times, RAM or stack are claimed.
        #expect(info.kind == "runicos" && info.health == RuneHealth(timeUnit: "cycles"), "\(String(describing: info.health))")
        #expect(try client.imageState().isEmpty)
        // Unknown commands are refused as not supported.
        #expect(throws: SMPDeviceError.self) { try client.request(.read, group: 9, command: 0) }
        do {
            try client.request(.read, group: 9, command: 0)
        } catch let error as SMPDeviceError {
            #expect(error.returnCode == SMPDeviceError.notSupported)
        }
    }

    @Test func uploadActivatesAndACorruptImageIsRefused() throws {
        let harness = try LinkHarness()
        let client = try harness.client()
        // With no active slot, uploads go to A.
        let first = TestImage.make(slot: 0, codeBytes: 20_000, runeSHA256: Self.runeA, seed: 1)
        var reported: [Int] = []
        try client.upload(image: first) { sent, total in
            #expect(total == first.count)
            reported.append(sent)
        }
        #expect(reported.last == first.count && reported == reported.sorted() && reported.count > 5)
        var state = try client.imageState()
        #expect(state.count == 1 && state[0].slot == 0 && state[0].active && state[0].hash == SHA256.hash(first))
        #expect(try client.runeInfo().slot == 0)
        #expect(try client.runeInfo().runeSHA256 == Self.runeA)

        // The next goes to B and takes over.
        let second = TestImage.make(slot: 1, codeBytes: 9_000, runeSHA256: Self.runeB, seed: 2)
        try client.upload(image: second, chunkSize: 700)
        #expect(try client.runeInfo().slot == 1)
        state = try client.imageState()
        #expect(state.count == 2 && state.first { $0.active }?.hash == SHA256.hash(second))

        // A corrupted image (its trailer no longer matches) is refused at the end; B stays.
        var corrupt = TestImage.make(slot: 0, codeBytes: 5_000, runeSHA256: Self.runeA, seed: 3)
        corrupt[2_000] ^= 0x40
        #expect(throws: SMPDeviceError.self) { try client.upload(image: corrupt) }
        let info = try client.runeInfo()
        #expect(info.slot == 1 && info.runeSHA256 == Self.runeB)
        #expect(info.health?.memoryBytes != nil && info.health?.lastCall == nil)
        // So is one linked for the other slot's address.
        let misplaced = TestImage.make(slot: 1, codeBytes: 5_000, runeSHA256: Self.runeA, seed: 4)
        do {
            try client.upload(image: misplaced)
            Issue.record("an image linked for the active slot was accepted")
        } catch let error as SMPDeviceError {
            #expect(error.returnCode == SMPDeviceError.invalidValue && error.reason?.contains("slot") == true)
        }
        #expect(try client.runeInfo().slot == 1)
    }

    struct Interrupted: Error {}

    @Test func anInterruptedUploadResumes() throws {
        let harness = try LinkHarness()
        let image = TestImage.make(slot: 0, codeBytes: 30_000, runeSHA256: Self.runeA, seed: 5)
        // The first connection gives up a third of the way in, and goes away.
        var stoppedAt = 0
        do {
            let client = try harness.client()
            try client.upload(image: image) { sent, _ in
                if sent > image.count / 3 {
                    stoppedAt = sent
                    throw Interrupted()
                }
            }
            Issue.record("the upload was not interrupted")
        } catch is Interrupted {}
        #expect(stoppedAt > 0)
        // A new connection sends the same image: the device answers the first chunk with where it stopped.
        let client = try harness.client()
        var first: Int?
        let report = try client.upload(image: image) { sent, _ in if first == nil { first = sent } }
        // Chunks already on their way when the client gave up still landed: it resumes at or
        // after where the first connection saw it, never from the start.
        #expect(first.map { $0 >= stoppedAt && $0 < image.count } == true, "resumed at \(first ?? -1), stopped at \(stoppedAt)")
        #expect(report.resumedAt == first)
        #expect(try client.runeInfo().slot == 0)
    }

    /// A device that stops answering mid-upload (the harness process stopped with SIGSTOP, its
    /// connection open) ends the upload at its deadline, well before the resends would run out,
    /// with what the device acknowledged; once it answers again the same image resumes there.
    @Test func anUploadToADeviceThatStopsAnsweringEndsAtItsDeadline() throws {
        let harness = try LinkHarness()
        let pid = harness.process.processIdentifier
        defer { kill(pid, SIGCONT) }
        let image = TestImage.make(slot: 0, codeBytes: 30_000, runeSHA256: Self.runeA, seed: 8)
        let clock = ContinuousClock()
        let start = clock.now
        var heard = 0
        do {
            // Resends alone would take 4 x 1 s, plus backoff. The connection closes with the client.
            let client = try harness.client(timeout: 1, retries: 3)
            try client.upload(image: image, deadline: start + .milliseconds(1500)) { sent, _ in
                heard = sent
                if sent > image.count / 3 { kill(pid, SIGSTOP) }
            }
            Issue.record("the upload finished although the device stopped answering")
        } catch SMPClientError.uploadDeadlinePassed(let acknowledged, let total) {
            #expect(acknowledged == heard && acknowledged > image.count / 3 && total == image.count)
        }
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(1500) && elapsed < .milliseconds(2500), "\(elapsed)")

        kill(pid, SIGCONT)
        let report = try harness.client().upload(image: image)
        #expect(report.resumedAt >= heard, "resumed at \(report.resumedAt), \(heard) acknowledged")
        #expect(try harness.client().runeInfo().slot == 0)
    }

    @Test func lostFramesAreRetriedAndConsoleTextIsSkipped() throws {
        // Every third frame that reaches the device is garbled, so it never answers it; console
        // lines arrive between frames.
        let harness = try LinkHarness(arguments: ["--noise", "--drop", "3"])
        let client = try harness.client(timeout: 0.3, retries: 4)
        for index in 0..<10 { #expect(try client.echo("try \(index)") == "try \(index)") }
        let image = TestImage.make(slot: 0, codeBytes: 12_000, runeSHA256: Self.runeA, seed: 6)
        // No long wait for the erase: the harness erases RAM, and a garbled first chunk is retried.
        try client.upload(image: image, eraseTimeout: 0)
        #expect(try client.runeInfo().slot == 0)
        #expect(client.consoleLines.contains { $0.hasPrefix("[runicos] idle") })
    }

    @Test func inputsAndResetKeepTheRune() throws {
        let harness = try LinkHarness()
        let client = try harness.client()
        #expect(throws: SMPDeviceError.self) { try client.streamInput(index: 0, data: Array(repeating: 1, count: 16)) }
        try client.upload(image: TestImage.make(slot: 0, codeBytes: 4_000, runeSHA256: Self.runeA, seed: 7))
        try client.streamInput(index: 0, data: Array(repeating: 1, count: 16))
        #expect(throws: SMPDeviceError.self) { try client.streamInput(index: 0, data: [1, 2, 3]) }
        #expect(throws: SMPDeviceError.self) { try client.streamInput(index: 4, data: Array(repeating: 1, count: 16)) }
        try client.reset()
        // The harness restarts its "device" with storage kept: the rune is still there.
        #expect(try client.runeInfo().slot == 0)
        #expect(harness.log.contains("reset 1"))
    }

    @Test func aDeadDeviceTimesOut() throws {
        // A listener that accepts and never answers.
        let harness = try LinkHarness(arguments: ["--drop", "1"])
        let client = try harness.client(timeout: 0.2, retries: 2)
        #expect(throws: SMPClientError.timedOut(group: 0, command: 0, attempts: 3)) { try client.echo("anyone?") }
    }
}
