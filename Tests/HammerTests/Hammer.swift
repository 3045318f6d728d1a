import Foundation
import RuneTestSupport
import Testing

/// `hmr` as a user runs it, with a configuration and cache folder of the test's own.
struct Hammer {
    let home: URL

    var environment: [String: String] {
        ["XDG_CONFIG_HOME": home.appendingPathComponent("config").path, "XDG_CACHE_HOME": home.appendingPathComponent("cache").path]
    }

    /// Runs `hmr arguments` within `timeout` seconds (killed after it: the result says so).
    @discardableResult
    func run(_ arguments: [String], timeout: Double = 120) throws -> Executables.Result {
        try Executables.run("hmr", arguments, timeout: timeout, environment: environment)
    }

    /// Runs `hmr arguments`, which must succeed.
    @discardableResult
    func succeed(_ arguments: [String], timeout: Double = 120, sourceLocation: SourceLocation = #_sourceLocation) throws -> Executables.Result {
        let result = try run(arguments, timeout: timeout)
        try #require(result.status == 0 && !result.timedOut,
                     "hmr \(arguments.joined(separator: " ")) failed (\(result.status)\(result.timedOut ? ", timed out" : "")):\n\(result.standardOutput)\n\(result.standardError)",
                     sourceLocation: sourceLocation)
        return result
    }

    /// `hmr targets status -t ID --json`, decoded.
    func status(_ target: String) throws -> [String: Any] {
        let result = try succeed(["targets", "status", "-t", target, "--json"], timeout: 30)
        return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }

    /// The SHA-256 of the rune `target` runs, in hex.
    func runningRune(_ target: String) throws -> String {
        try #require(try status(target)["rune"] as? String)
    }
}
