import Foundation
import RuneLink
import RuneTestSupport
import Testing

/// `rune agent` on a free loopback port with a state folder of the test's own; its stdout and
/// stderr go to a log. Killed with SIGKILL (a child of the test runner inherits a mask that
/// blocks SIGTERM), which is also how a test kills it mid-upload.
final class RuneAgentProcess {
    let process = Process()
    let port: UInt16
    let log: URL
    /// What `hmr targets add` takes.
    var address: String { "tcp://127.0.0.1:\(port)" }

    init(stateFolder: URL, scratch: URL, arguments: [String] = [], port: UInt16? = nil) throws {
        self.port = try port ?? Executables.freeLoopbackPort()
        process.executableURL = Executables.url("rune")
        process.arguments = ["agent", "--listen", "127.0.0.1:\(self.port)", "--state-dir", stateFolder.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_CACHE_HOME"] = scratch.appendingPathComponent("agent-cache").path
        process.environment = environment
        log = try QEMUDevice.launch(process, logNamed: "agent", in: scratch)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, process.isRunning {
            if (try? TCPByteLink(port: self.port, timeout: 1)) != nil { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw HammerTestError("rune agent did not listen on \(self.port): \(logText)")
    }

    var logText: String { String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self) }

    /// Kills it at once, as a power cut or `kill -9` would.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
