import Foundation
import Synchronization
import Testing

/// Runes compiled by the package's `runec`, each Runefile once per test process: suites that
/// run the same fixture (examples, engine comparisons, the engine fuzz) share one build.
public enum BuiltRunes {
    /// One Runefile's rune; its lock is held while runec builds it, so a second test asking for
    /// the same rune waits for that build while other Runefiles build alongside.
    private final class Entry: Sendable {
        let index: Int
        let rune = Mutex<URL?>(nil)
        init(index: Int) { self.index = index }
    }

    private static let entries = Mutex<[String: Entry]>([:])
    /// Where the runes are written; it lives as long as the test process.
    private static let scratch = try? Executables.temporaryFolder()

    /// The rune `runec` makes of `runefile`, compiled on first use. A failed build fails the
    /// calling test with runec's diagnostics.
    public static func rune(_ runefile: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        let entry = entries.withLock { entries in
            if let entry = entries[runefile.path] { return entry }
            let entry = Entry(index: entries.count)
            entries[runefile.path] = entry
            return entry
        }
        return try entry.rune.withLock { built in
            if let built { return built }
            let folder = try #require(scratch, "no temporary folder for runes", sourceLocation: sourceLocation)
            let rune = folder.appendingPathComponent("\(entry.index)-\(runefile.deletingLastPathComponent().lastPathComponent).rune")
            // A fixture case's `build.args` (more runec flags, such as `--resource NAME=FILE`) are
            // resolved in its folder, as RuneFixtureTests builds it: every suite that walks the
            // cases must build the same rune.
            let caseFolder = runefile.deletingLastPathComponent()
            let extra = Fixtures.arguments(caseFolder.appendingPathComponent("build.args"))
            let build = try Executables.run("runec", [runefile.path, "-o", rune.path] + extra,
                                            in: extra.isEmpty ? nil : caseFolder)
            try #require(build.status == 0, "runec \(Fixtures.relativize(runefile.path)) failed:\n\(build.standardError)",
                         sourceLocation: sourceLocation)
            built = rune
            return rune
        }
    }
}
