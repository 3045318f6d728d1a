import Foundation
import Synchronization
import Testing

/// Runes compiled by the package's `runec`, each Runefile once per test process: suites that
/// run the same fixture (examples, engine comparisons, the engine fuzz) share one build.
public enum BuiltRunes {
    private static let built = Mutex<[String: URL]>([:])
    /// Where the runes are written; it lives as long as the test process.
    private static let scratch = try? Executables.temporaryFolder()

    /// The rune `runec` makes of `runefile`, compiled on first use. A failed build fails the
    /// calling test with runec's diagnostics.
    public static func rune(_ runefile: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        // Held while runec runs: a second test asking for the same rune waits for the first build.
        try built.withLock { built in
            if let rune = built[runefile.path] { return rune }
            let folder = try #require(scratch, "no temporary folder for runes", sourceLocation: sourceLocation)
            let rune = folder.appendingPathComponent("\(built.count)-\(runefile.deletingLastPathComponent().lastPathComponent).rune")
            let build = try Executables.run("runec", [runefile.path, "-o", rune.path])
            try #require(build.status == 0, "runec \(Fixtures.relativize(runefile.path)) failed:\n\(build.standardError)",
                         sourceLocation: sourceLocation)
            built[runefile.path] = rune
            return rune
        }
    }
}
