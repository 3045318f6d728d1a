import Foundation
import RuneTestSupport
import Synchronization
import Testing

/// `rune run` on the default (aot) engine with its native-code cache, as a user sees it: the
/// first run translates, later runs load; damage is rebuilt; racing runs both succeed;
/// `--no-cache`, `rune cache` and `rune inspect`. Every run has its own XDG_CACHE_HOME, and the
/// output is always the fixture's expected output.
@Suite struct NativeCodeCacheCommandTests {
    let fixture = Fixtures.folder("runes", "rand-f32")

    /// A scratch folder with the fixture compiled into `app.rune` and a `cache` folder name.
    struct Scratch {
        let folder: URL
        let rune: URL
        let cacheHome: URL
        let arguments: [String]
        let expected: String

        var entriesFolder: URL { cacheHome.appendingPathComponent("rune/aot") }
        var environment: [String: String] { ["XDG_CACHE_HOME": cacheHome.path] }

        func entries() -> [URL] {
            ((try? FileManager.default.contentsOfDirectory(atPath: entriesFolder.path)) ?? []).sorted()
                .map { entriesFolder.appendingPathComponent($0) }
        }

        func run(_ extra: [String] = ["--timings"], environment: [String: String]? = nil) throws -> Executables.Result {
            try Executables.run("rune", ["run", rune.path] + arguments + extra, environment: environment ?? self.environment)
        }
    }

    func scratch() throws -> Scratch {
        let folder = try Executables.temporaryFolder()
        let rune = folder.appendingPathComponent("app.rune")
        let build = try Executables.run("runec", [Fixtures.runefile(in: fixture).path, "-o", rune.path])
        #expect(build.status == 0, "\(build.standardError)")
        let arguments = try String(contentsOf: fixture.appendingPathComponent("run.args"), encoding: .utf8)
            .split(whereSeparator: \.isWhitespace).map(String.init)
        let expected = try String(contentsOf: fixture.appendingPathComponent("expected.stdout"), encoding: .utf8)
        return Scratch(folder: folder, rune: rune, cacheHome: folder.appendingPathComponent("cache"),
                       arguments: arguments, expected: expected)
    }

    func identity(_ url: URL) throws -> [String] {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return ["\(attributes[.systemFileNumber] ?? "")", "\((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"]
    }

    @Test func theFirstRunTranslatesAndTheSecondLoadsFromTheCache() throws {
        let scratch = try scratch()
        defer { try? FileManager.default.removeItem(at: scratch.folder) }
        let first = try scratch.run()
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput == scratch.expected)
        #expect(first.standardError.contains("native code: translated in"), "\(first.standardError)")
        let entries = scratch.entries()
        #expect(entries.count == 1 && entries[0].lastPathComponent.hasSuffix(".native"))
        let before = try identity(entries[0])
        let second = try scratch.run()
        #expect(second.status == 0)
        #expect(second.standardOutput == scratch.expected)
        #expect(second.standardError.contains("native code: loaded from cache in"), "\(second.standardError)")
        #expect(!second.standardError.contains("translated"))
        #expect(try identity(entries[0]) == before, "the hit neither rewrote nor replaced the entry")
        // Without --timings, stderr stays quiet.
        let quiet = try scratch.run([])
        #expect(quiet.standardError.isEmpty)
        #expect(quiet.standardOutput == scratch.expected)
    }

    @Test(arguments: ["truncated", "bit flipped"])
    func aDamagedEntryIsRebuiltWithTheSameOutput(damage: String) throws {
        let scratch = try scratch()
        defer { try? FileManager.default.removeItem(at: scratch.folder) }
        #expect(try scratch.run().status == 0)
        let entry = try #require(scratch.entries().first)
        var bytes = try [UInt8](Data(contentsOf: entry))
        if damage == "truncated" { bytes = Array(bytes[..<(bytes.count * 2 / 3)]) } else { bytes[bytes.count - 100] ^= 0x01 }
        try Data(bytes).write(to: entry)
        let rebuilt = try scratch.run()
        #expect(rebuilt.status == 0, "\(rebuilt.standardError)")
        #expect(rebuilt.standardOutput == scratch.expected)
        #expect(rebuilt.standardError.contains("warning: ignoring the cached native code"), "\(rebuilt.standardError)")
        #expect(rebuilt.standardError.contains("native code: translated in"))
        let again = try scratch.run()
        #expect(again.standardOutput == scratch.expected)
        #expect(again.standardError.contains("loaded from cache"), "\(again.standardError)")
    }

    @Test func twoRunsRacingOnAnEmptyCacheBothSucceed() throws {
        let scratch = try scratch()
        defer { try? FileManager.default.removeItem(at: scratch.folder) }
        let results = Mutex<[Executables.Result?]>([nil, nil])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let result = try? scratch.run([])
            results.withLock { $0[index] = result }
        }
        for result in results.withLock({ $0 }) {
            #expect(result?.status == 0, "\(result?.standardError ?? "did not run")")
            #expect(result?.standardOutput == scratch.expected)
        }
        // One entry, no temporary file left behind, and it loads.
        #expect(scratch.entries().map { $0.lastPathComponent.hasSuffix(".native") } == [true])
        #expect(try scratch.run().standardError.contains("loaded from cache"))
    }

    @Test func noCacheNeitherReadsNorWrites() throws {
        let scratch = try scratch()
        defer { try? FileManager.default.removeItem(at: scratch.folder) }
        let uncached = try scratch.run(["--timings", "--no-cache"])
        #expect(uncached.status == 0)
        #expect(uncached.standardOutput == scratch.expected)
        #expect(uncached.standardError.contains("translated in") && uncached.standardError.contains("not cached"))
        #expect(!FileManager.default.fileExists(atPath: scratch.cacheHome.path), "nothing created")
        // With an entry present, --no-cache still translates.
        #expect(try scratch.run().status == 0)
        #expect(try scratch.run(["--timings", "--no-cache"]).standardError.contains("translated in"))
    }

    @Test func cacheCommandsShowAndClearIt() throws {
        let scratch = try scratch()
        defer { try? FileManager.default.removeItem(at: scratch.folder) }
        let path = try Executables.run("rune", ["cache", "path"], environment: scratch.environment)
        #expect(path.standardOutput == scratch.cacheHome.appendingPathComponent("rune").path + "\n")
        #expect(try scratch.run().status == 0)
        let listed = try Executables.run("rune", ["cache", "ls"], environment: scratch.environment)
        let entry = try #require(scratch.entries().first)
        #expect(listed.standardOutput.contains(entry.path))
        let cleared = try Executables.run("rune", ["cache", "clear"], environment: scratch.environment)
        #expect(cleared.status == 0)
        #expect(cleared.standardOutput.contains("removed 1 entry"))
        #expect(scratch.entries().isEmpty)
        #expect(try Executables.run("rune", ["cache", "ls"], environment: scratch.environment).standardOutput.isEmpty)
        #expect(try scratch.run().standardError.contains("translated in"))
    }

    @Test func anUnwritableCacheFolderStillRuns() throws {
        let scratch = try scratch()
        defer { try? FileManager.default.removeItem(at: scratch.folder) }
        // A file where the folder should be: mkdir fails even for root.
        try Data("not a folder".utf8).write(to: scratch.cacheHome)
        let result = try scratch.run()
        #expect(result.status == 0)
        #expect(result.standardOutput == scratch.expected)
        #expect(result.standardError.contains("warning: cannot cache the native code"), "\(result.standardError)")
    }

    @Test func inspectShowsTheCacheState() throws {
        let scratch = try scratch()
        defer { try? FileManager.default.removeItem(at: scratch.folder) }
        let before = try Executables.run("rune", ["inspect", scratch.rune.path], environment: scratch.environment)
        #expect(before.standardOutput.contains("native code: not cached for"), "\(before.standardOutput)")
        #expect(try scratch.run().status == 0)
        let entry = try #require(scratch.entries().first)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: entry.path)[.size] as? Int)
        let after = try Executables.run("rune", ["inspect", scratch.rune.path], environment: scratch.environment)
        #expect(after.standardOutput.contains("native code: cached for"))
        #expect(after.standardOutput.contains("at \(entry.path) (\(size) bytes)"), "\(after.standardOutput)")
        let json = try Executables.run("rune", ["inspect", scratch.rune.path, "--json"], environment: scratch.environment)
        let object = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        let native = object?["native_code"] as? [String: Any]
        #expect(native?["cached"] as? Bool == true)
        #expect(native?["path"] as? String == entry.path)
        try Data([1, 2, 3]).write(to: entry)
        let damaged = try Executables.run("rune", ["inspect", scratch.rune.path], environment: scratch.environment)
        #expect(damaged.standardOutput.contains("a damaged entry"), "\(damaged.standardOutput)")
    }

    @Test func theDefaultEngineIsAOTAndTheInterpreterStaysAvailable() throws {
        let scratch = try scratch()
        defer { try? FileManager.default.removeItem(at: scratch.folder) }
        let native = try scratch.run()
        #expect(native.standardError.contains("native code:"))
        let interpreted = try scratch.run(["--timings", "--engine", "interpreter"])
        #expect(interpreted.status == 0)
        #expect(interpreted.standardOutput == scratch.expected)
        #expect(!interpreted.standardError.contains("native code:"))
        #expect(scratch.entries().count == 1, "the interpreter adds nothing to the cache")
    }
}
