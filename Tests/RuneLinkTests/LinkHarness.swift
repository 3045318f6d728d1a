import Foundation
import RuneLink
import RuneTestSupport

/// The host C compiler the harness is built with.
let hostCCompiler = Executables.system("cc") ?? Executables.system("clang")

/// `Runtime/runicos/tests/link_harness.c`, the device side of the link protocol (transport,
/// server, slots, image checks) built for the host, running as a process that serves SMP on a
/// TCP port of 127.0.0.1. Stopped when released.
final class LinkHarness {
    let process = Process()
    let port: UInt16
    private let errors: URL

    /// The harness executable, built once per test run.
    static let executable: Result<URL, any Error> = Result {
        let runtime = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Runtime")
        guard let compiler = hostCCompiler else { throw HarnessError("no host C compiler") }
        let folder = try Executables.temporaryFolder()
        let output = folder.appendingPathComponent("link_harness")
        let build = try Executables.run(executable: compiler, [
            "-std=gnu11", "-O2", "-Wall", "-Werror", "-I", runtime.appendingPathComponent("include").path, "-I", runtime.path,
            runtime.appendingPathComponent("runicos/tests/link_harness.c").path, "-o", output.path,
        ], timeout: 120)
        guard build.status == 0 else { throw HarnessError("link_harness.c does not build:\n\(build.standardError)") }
        return output
    }

    struct HarnessError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Starts a harness (`--noise`, `--drop N` as link_harness.c describes) and waits for its port.
    init(arguments: [String] = []) throws {
        process.executableURL = try Self.executable.get()
        process.arguments = arguments + ["--lifetime", "90"]
        let output = Pipe()
        process.standardOutput = output
        errors = FileManager.default.temporaryDirectory.appendingPathComponent("link-harness-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // "port P\n" comes first; bounded by the deadline, not by the child's good will.
        let deadline = Date().addingTimeInterval(10)
        var line: [UInt8] = []
        let handle = output.fileHandleForReading
        while !line.contains(0x0A), Date() < deadline, process.isRunning {
            var entry = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, 100) > 0 {
                var byte: UInt8 = 0
                if read(handle.fileDescriptor, &byte, 1) == 1 { line.append(byte) } else { break }
            }
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("port "), let port = UInt16(text.dropFirst(5)) else {
            kill(process.processIdentifier, SIGKILL)
            throw HarnessError("the harness did not say its port (got \"\(text)\")")
        }
        self.port = port
    }

    /// A client on a fresh connection.
    func client(timeout: Double = 1, retries: Int = 3) throws -> SMPClient {
        SMPClient(link: try TCPByteLink(port: port), timeout: timeout, retries: retries)
    }

    /// What the harness wrote to standard error (resets, for one).
    var log: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

    deinit {
        // SIGKILL, not terminate(): it cannot be blocked, so this never waits on the child's mercy.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: errors)
    }
}
