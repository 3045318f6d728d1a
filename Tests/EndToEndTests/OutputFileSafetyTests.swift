import Foundation
import RuneTestSupport
import Testing

/// `-o` never clobbers what is not a regular file of ours: not a device, FIFO, folder or link, not
/// one of the compile's own inputs, and not a file of another format that shares the name.
@Suite struct OutputFileSafetyTests {
    /// A copy of a fixture in a scratch folder, so a failing test cannot damage the fixture.
    private func copy(_ fixture: URL) throws -> URL {
        let scratch = try Executables.temporaryFolder()
        let destination = scratch.appendingPathComponent(fixture.lastPathComponent)
        try FileManager.default.copyItem(at: fixture, to: destination)
        return destination
    }

    private func bytes(_ url: URL) -> Data? { FileManager.default.contents(atPath: url.path) }

    /// Runs runec and checks it refused with exit status 1, an `error:` line naming the problem,
    /// and no file changed.
    private func expectRefusal(_ arguments: [String], in folder: URL, mentioning phrase: String,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try snapshot(folder)
        let result = try Executables.run("runec", arguments)
        #expect(result.status == 1, "\(result.standardError)", sourceLocation: sourceLocation)
        #expect(result.standardError.contains(phrase), "\(result.standardError)", sourceLocation: sourceLocation)
        #expect(try snapshot(folder) == before, "a file changed", sourceLocation: sourceLocation)
    }

    /// Every name in `folder` with its bytes (links as their destinations).
    private func snapshot(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let path = folder.appendingPathComponent(name).path
            if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
                files[name] = Data("link:\(link)".utf8)
            } else {
                files[name] = FileManager.default.contents(atPath: path) ?? Data("folder".utf8)
            }
        }
        return files
    }

    @Test func refusesToOverwriteTheRunefileOrTheModel() throws {
        let folder = try copy(Fixtures.folder("hotg", "sine"))
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let runefile = folder.appendingPathComponent("Runefile").path
        try expectRefusal([runefile, "-o", runefile], in: folder, mentioning: "is an input of this command")
        try expectRefusal([runefile, "-o", folder.appendingPathComponent("sinemodel.tflite").path], in: folder,
                          mentioning: "input")
        try expectRefusal([folder.path, "-o", folder.path + "/./Runefile"], in: folder, mentioning: "same file as the input")
    }

    @Test func refusesFoldersLinksFIFOsAndDevices() throws {
        let folder = try copy(Fixtures.folder("runes", "raw-i32"))
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let runefile = folder.appendingPathComponent("Runefile").path
        let victim = folder.appendingPathComponent("victim.rune")
        try Data([0, 0x61, 0x73, 0x6d]).write(to: victim)
        let link = folder.appendingPathComponent("link.rune").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim.path)
        try expectRefusal([runefile, "-o", link], in: folder, mentioning: "is a symbolic link")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("out.rune"), withIntermediateDirectories: false)
        try expectRefusal([runefile, "-o", folder.appendingPathComponent("out.rune").path], in: folder, mentioning: "is a folder")
        let fifo = folder.appendingPathComponent("pipe.rune").path
        #expect(mkfifo(fifo, 0o600) == 0)
        try expectRefusal([runefile, "-o", fifo], in: folder, mentioning: "is a FIFO")
        try expectRefusal([runefile, "-o", "/dev/null"], in: folder, mentioning: "is a character device")
        #expect(FileManager.default.fileExists(atPath: "/dev/null"))
        #expect(bytes(victim) == Data([0, 0x61, 0x73, 0x6d]))
    }

    @Test func refusesAFileThatIsNotARune() throws {
        let folder = try copy(Fixtures.folder("runes", "raw-i32"))
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let notes = folder.appendingPathComponent("notes.rune")
        try Data("my notes".utf8).write(to: notes)
        try expectRefusal([folder.appendingPathComponent("Runefile").path, "-o", notes.path], in: folder,
                          mentioning: "is not a WebAssembly module")
        // A rune is replaced by the new rune.
        let app = folder.appendingPathComponent("app.rune").path
        let runefile = folder.appendingPathComponent("Runefile").path
        #expect(try Executables.run("runec", [runefile, "-o", app]).status == 0)
        #expect(try Executables.run("runec", [runefile, "-o", app]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test func runeGraphRefusesToOverwriteTheRune() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rune = scratch.appendingPathComponent("noop.rune")
        let runefile = Fixtures.folder("runes", "raw-i32").appendingPathComponent("Runefile").path
        #expect(try Executables.run("runec", [runefile, "-o", rune.path]).status == 0)
        let before = bytes(rune)
        let result = try Executables.run("rune", ["graph", rune.path, "-o", rune.path])
        #expect(result.status == 1)
        #expect(result.standardError.contains("is an input of this command"))
        #expect(bytes(rune) == before)
        let device = try Executables.run("rune", ["graph", rune.path, "-o", "/dev/null"])
        #expect(device.status == 1)
        #expect(device.standardError.contains("is a character device"))
        let drawing = scratch.appendingPathComponent("noop.svg")
        #expect(try Executables.run("rune", ["graph", rune.path, "-o", drawing.path]).status == 0)
        #expect(String(decoding: bytes(drawing) ?? Data(), as: UTF8.self).hasPrefix("<svg"))
    }

    @Test func firmwareFlagsNeedTheFirmwareTarget() throws {
        let runefile = Fixtures.folder("hotg", "sine").appendingPathComponent("Runefile").path
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        for flags in [["--board", "mps2-an500"], ["--iterations", "3"], ["--report-timing"], ["--quiet-outputs"], ["--random-seed", "1"],
                      ["--embed-input", "rand=x.bin"]] {
            let result = try Executables.run("runec", [runefile, "-o", scratch.appendingPathComponent("s.rune").path] + flags)
            #expect(result.status == 64, "\(flags): \(result.standardError)")
            #expect(result.standardError.contains("\(flags[0]) applies to firmware only"), "\(result.standardError)")
        }
        let exe = try Executables.run("runec", [runefile, "--target", "cortex-m7", "--board", "mps2-an500",
                                                "-o", scratch.appendingPathComponent("sine.exe").path])
        #expect(exe.status == 64)
        #expect(exe.standardError.contains("firmware is written as .elf, .bin (flat image) or .hex (Intel HEX)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
    }
}
