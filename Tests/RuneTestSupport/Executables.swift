import Foundation

/// Runs the package's own command-line tools (`runec`, `rune`) the way a user does.
public enum Executables {
    /// The build folder holding the test runner, which also holds the package's executables.
    static var buildFolder: URL {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = runner.deletingLastPathComponent()
        // The runner may sit inside an `.xctest` bundle.
        while folder.pathExtension == "xctest" || folder.lastPathComponent == "Contents" || folder.lastPathComponent == "MacOS" {
            folder = folder.deletingLastPathComponent()
        }
        return folder
    }

    public static func url(_ name: String) -> URL { buildFolder.appendingPathComponent(name) }

    public struct Result: Sendable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
        /// Whether the process ended by a signal (a crash, or the kill after `timeout`).
        public var signaled = false
        /// Whether it was still running at the timeout and was killed.
        public var timedOut = false
        /// How long it ran.
        public var seconds = 0.0
    }

    /// Runs `name` with `arguments` in `directory` and waits for it. `environment` adds to (or,
    /// with an empty value, removes from) the test's environment.
    public static func run(_ name: String, _ arguments: [String], in directory: URL? = nil, timeout: Double? = nil,
                           environment: [String: String] = [:]) throws -> Result {
        try run(executable: url(name), arguments, in: directory, timeout: timeout, environment: environment)
    }

    /// A program on `PATH` (`qemu-system-arm`), or nil when it is not installed.
    public static func system(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs the program at `executable` with `arguments` in `directory` and waits for it; with
    /// `timeout`, kills it after that many seconds (the result says so).
    ///
    /// Unless `environment` names XDG_CACHE_HOME, the program gets a fresh, empty cache folder of
    /// its own, removed afterwards: tests never touch ~/.cache and never share a cache by accident.
    public static func run(executable: URL, _ arguments: [String], in directory: URL? = nil, timeout: Double? = nil,
                           environment extra: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        // Files rather than pipes: a child that writes a lot cannot stall on a full pipe.
        let scratch = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["XDG_CACHE_HOME"] = scratch.appendingPathComponent("cache").path
        for (name, value) in extra { environment[name] = value.isEmpty ? nil : value }
        process.environment = environment
        let outputURL = scratch.appendingPathComponent("stdout")
        let errorURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)
        let error = try FileHandle(forWritingTo: errorURL)
        defer {
            try? output.close()
            try? error.close()
        }
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        var timedOut = false
        if let timeout {
            while process.isRunning, Date().timeIntervalSince(start) < timeout { usleep(5_000) }
            if process.isRunning {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
            }
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      standardOutput: String(decoding: (try? Data(contentsOf: outputURL)) ?? Data(), as: UTF8.self),
                      standardError: String(decoding: (try? Data(contentsOf: errorURL)) ?? Data(), as: UTF8.self),
                      signaled: process.terminationReason == .uncaughtSignal, timedOut: timedOut,
                      seconds: Date().timeIntervalSince(start))
    }

    /// A fresh temporary folder, removed by the caller.
    public static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rune-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

extension Executables {
    /// A port of 127.0.0.1 nothing listens on now, for a child to bind (QEMU's serial line).
    public static func freeLoopbackPort() throws -> UInt16 {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw PortError(description: "no socket: \(String(cString: strerror(errno)))") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw PortError(description: "cannot bind a port of 127.0.0.1") }
        return UInt16(bigEndian: address.sin_port)
    }

    public struct PortError: Error, CustomStringConvertible {
        public var description: String
    }
}
