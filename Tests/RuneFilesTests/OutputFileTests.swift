import Foundation
import Testing
@testable import RuneFiles

/// `OutputFile` never replaces what is not a regular file of ours.
@Suite struct OutputFileTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("rune-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    private func contents(_ name: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path(name)).map { Array($0) }
    }

    /// The names in the folder, so a test sees any stray temporary file.
    private func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    @Test func writesANewFileAndReplacesAnOldOneOfOurs() throws {
        try OutputFile.write([0, 0x61, 0x73, 0x6d, 1], to: path("app.rune"), magic: [0, 0x61, 0x73, 0x6d])
        #expect(contents("app.rune") == [0, 0x61, 0x73, 0x6d, 1])
        try OutputFile.write([0, 0x61, 0x73, 0x6d, 2], to: path("app.rune"), magic: [0, 0x61, 0x73, 0x6d])
        #expect(contents("app.rune") == [0, 0x61, 0x73, 0x6d, 2])
        #expect(try names() == ["app.rune"])
    }

    @Test func refusesAFolder() throws {
        try FileManager.default.createDirectory(atPath: path("out"), withIntermediateDirectories: false)
        #expect(throws: OutputFile.Failure.notRegularFile(path: path("out"), kind: "a folder")) {
            try OutputFile.write([1], to: path("out"))
        }
        #expect(try names() == ["out"])
    }

    @Test func refusesASymbolicLinkAndLeavesItsTargetAlone() throws {
        _ = FileManager.default.createFile(atPath: path("precious"), contents: Data("keep".utf8))
        try FileManager.default.createSymbolicLink(atPath: path("link"), withDestinationPath: path("precious"))
        #expect(throws: OutputFile.Failure.notRegularFile(path: path("link"), kind: "a symbolic link")) {
            try OutputFile.write([1], to: path("link"))
        }
        #expect(contents("precious") == Array("keep".utf8))
        let destination = try FileManager.default.destinationOfSymbolicLink(atPath: path("link"))
        #expect(destination == path("precious"))
    }

    @Test func refusesAFIFOWithoutBlocking() throws {
        #expect(mkfifo(path("pipe"), 0o600) == 0)
        #expect(throws: OutputFile.Failure.notRegularFile(path: path("pipe"), kind: "a FIFO")) {
            try OutputFile.write([1], to: path("pipe"))
        }
    }

    @Test func refusesADevice() throws {
        #expect(throws: OutputFile.Failure.notRegularFile(path: "/dev/null", kind: "a character device")) {
            try OutputFile.write([1], to: "/dev/null")
        }
    }

    @Test func refusesAnInputUnderAnySpelling() throws {
        _ = FileManager.default.createFile(atPath: path("Runefile"), contents: Data("FROM runicos/base\n".utf8))
        try FileManager.default.linkItem(atPath: path("Runefile"), toPath: path("hardlink"))
        #expect(throws: OutputFile.Failure.isInput(path: path("Runefile"), input: path("Runefile"))) {
            try OutputFile.write([1], to: path("Runefile"), inputs: [path("Runefile")])
        }
        let dotted = folder.path + "/./Runefile"
        #expect(throws: OutputFile.Failure.isInput(path: dotted, input: path("Runefile"))) {
            try OutputFile.write([1], to: dotted, inputs: [path("Runefile")])
        }
        #expect(throws: OutputFile.Failure.isInput(path: path("hardlink"), input: path("Runefile"))) {
            try OutputFile.write([1], to: path("hardlink"), inputs: [path("Runefile")])
        }
        #expect(contents("Runefile") == Array("FROM runicos/base\n".utf8))
    }

    @Test func refusesAFileOfAnotherFormat() throws {
        _ = FileManager.default.createFile(atPath: path("app.rune"), contents: Data("my notes".utf8))
        #expect(throws: OutputFile.Failure.notOurs(path: path("app.rune"), expected: "a WebAssembly module")) {
            try OutputFile.write([0, 0x61, 0x73, 0x6d], to: path("app.rune"), magic: [0, 0x61, 0x73, 0x6d],
                                 formatName: "a WebAssembly module")
        }
        #expect(contents("app.rune") == Array("my notes".utf8))
        // An empty file is taken as a placeholder the user made for the output.
        _ = FileManager.default.createFile(atPath: path("empty.rune"), contents: Data())
        try OutputFile.write([0, 0x61, 0x73, 0x6d], to: path("empty.rune"), magic: [0, 0x61, 0x73, 0x6d])
        #expect(contents("empty.rune") == [0, 0x61, 0x73, 0x6d])
    }

    @Test func aPlantedLinkAtEveryTemporaryNameIsNeverFollowed() throws {
        // The temporary name is random, so planting links cannot predict it; and O_EXCL|O_NOFOLLOW
        // means that even a link at the chosen name would make creation fail rather than follow it.
        _ = FileManager.default.createFile(atPath: path("victim"), contents: Data("safe".utf8))
        for index in 0..<50 {
            try FileManager.default.createSymbolicLink(atPath: path(".app.rune.\(index).tmp"), withDestinationPath: path("victim"))
        }
        try OutputFile.write(Array("new".utf8), to: path("app.rune"))
        #expect(contents("victim") == Array("safe".utf8))
        #expect(contents("app.rune") == Array("new".utf8))
        #expect(try names().filter { $0.hasSuffix(".tmp") && !$0.hasPrefix(".app.rune.") }.isEmpty)
        #expect(try names().count == 50 + 2)
    }

    @Test func anUnwritableFolderIsAnErrorThatLeavesNothingBehind() throws {
        let missing = path("no/such/folder/app.rune")
        #expect(throws: OutputFile.Failure.self) { try OutputFile.write([1], to: missing) }
        #expect(try names().isEmpty)
    }

    @Test func messagesSayWhatToDo() {
        #expect(OutputFile.Failure.notRegularFile(path: "/dev/null", kind: "a character device").description
            == "'/dev/null' is a character device, not a regular file; choose a file path (or '-o -' for stdout)")
        #expect(OutputFile.Failure.isInput(path: "Runefile", input: "Runefile").description
            == "'Runefile' is an input of this command; writing the output there would destroy it")
    }
}
