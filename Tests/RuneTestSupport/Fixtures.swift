import Foundation
import Testing

/// The repository's `Fixtures/` folder: one folder per test case.
public enum Fixtures {
    /// `<package>/Fixtures`.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The case folders of `area` (`Fixtures/<area>/<case>/`), sorted by name.
    ///
    /// A missing or empty area gives one case named after the problem rather than none, so a
    /// parameterised test over it fails (in ``folder(_:_:)``) instead of passing with zero cases.
    public static func cases(_ area: String) -> [String] {
        let directory = root.appendingPathComponent(area)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let cases = names.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path,
                                                  isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
        return cases.isEmpty ? ["<no cases in Fixtures/\(area)>"] : cases
    }

    /// A case folder; records a test failure when it does not exist.
    public static func folder(_ area: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> URL {
        let folder = root.appendingPathComponent(area).appendingPathComponent(name)
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) || !isDirectory.boolValue {
            Issue.record("Fixtures/\(area)/\(name) is not a fixture folder", sourceLocation: sourceLocation)
        }
        return folder
    }

    /// The Runefile of a case: `Runefile` or `Runefile.yml`.
    public static func runefile(in folder: URL) -> URL {
        let yaml = folder.appendingPathComponent("Runefile.yml")
        return FileManager.default.fileExists(atPath: yaml.path) ? yaml : folder.appendingPathComponent("Runefile")
    }

    /// Paths in output are shown relative to `Fixtures/`, so golden files hold no machine paths.
    /// The whitespace-separated flags in a case's `file` (`run.args`, `build.args`); none when
    /// there is no such file.
    public static func arguments(_ file: URL) -> [String] {
        (try? String(contentsOf: file, encoding: .utf8))?.split(whereSeparator: \.isWhitespace).map(String.init) ?? []
    }

    public static func relativize(_ text: String) -> String {
        text.replacingOccurrences(of: root.path + "/", with: "")
    }

    /// Whether to rewrite golden files instead of comparing (`RUNE_UPDATE_GOLDEN=1 swift test`).
    public static var updating: Bool { ProcessInfo.processInfo.environment["RUNE_UPDATE_GOLDEN"] == "1" }

    /// Compares `actual` with the golden file, or rewrites it when updating.
    public static func expect(_ actual: String, matches golden: URL, sourceLocation: SourceLocation = #_sourceLocation) {
        if updating {
            try? actual.write(to: golden, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: golden, encoding: .utf8) else {
            Issue.record("missing golden file \(golden.path); run with RUNE_UPDATE_GOLDEN=1 to create it",
                         sourceLocation: sourceLocation)
            return
        }
        if actual != expected {
            Issue.record("\(golden.lastPathComponent) differs:\n\(diff(expected: expected, actual: actual))",
                         sourceLocation: sourceLocation)
        }
    }

    /// A line diff good enough to see what changed.
    static func diff(expected: String, actual: String) -> String {
        let old = expected.components(separatedBy: "\n")
        let new = actual.components(separatedBy: "\n")
        var lines: [String] = []
        for index in 0..<max(old.count, new.count) {
            let a = index < old.count ? old[index] : nil
            let b = index < new.count ? new[index] : nil
            if a != b {
                if let a { lines.append("- \(a)") }
                if let b { lines.append("+ \(b)") }
            }
        }
        return lines.joined(separator: "\n")
    }
}
