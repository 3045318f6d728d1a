import Foundation
import RuneLink
import RuneTestSupport
import Testing

/// QEMU (mps2-an500) running RunicOS, its UART on a loopback TCP port or on a pty. Killed with
/// SIGKILL (a child of the test runner inherits a mask that blocks SIGTERM).
final class QEMUDevice {
    enum Serial { case tcp, pty }

    let process = Process()
    /// What `hmr targets add` takes: `tcp://127.0.0.1:PORT` or `/dev/pts/N`.
    let address: String
    let port: UInt16?
    private let log: URL

    init(firmware: URL, serial: Serial, scratch: URL) throws {
        process.executableURL = try #require(Executables.system("qemu-system-arm"))
        var arguments = ["-M", "mps2-an500", "-display", "none", "-monitor", "none",
                         "-semihosting-config", "enable=on,target=native", "-kernel", firmware.path]
        var port: UInt16?
        switch serial {
        case .tcp:
            let free = try Executables.freeLoopbackPort()
            port = free
            // wait=off: the device boots with nobody attached, as a board does.
            arguments += ["-serial", "tcp:127.0.0.1:\(free),server=on,wait=off"]
        case .pty:
            arguments += ["-serial", "pty"]
        }
        process.arguments = arguments
        log = try Self.launch(process, logNamed: "qemu", in: scratch)
        self.port = port
        let deadline = Date().addingTimeInterval(20)
        var found: String?
        while found == nil, Date() < deadline, process.isRunning {
            switch serial {
            case .tcp:
                // Listening: a connection succeeds (and is closed again; QEMU takes the next one).
                if (try? TCPByteLink(port: port!, timeout: 1)) != nil { found = "tcp://127.0.0.1:\(port!)" }
            case .pty:
                // "char device redirected to /dev/pts/N (label serial0)"
                let text = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
                if let range = text.range(of: "redirected to ") {
                    let rest = text[range.upperBound...]
                    found = String(rest.prefix { !$0.isWhitespace })
                }
            }
            if found == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        guard let found else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw HammerTestError("QEMU did not open its serial \(serial): \(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))")
        }
        address = found
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

}

extension QEMUDevice {
    /// Runs `process` with stdin from /dev/null and stdout and stderr to a new log in `scratch`
    /// (`NAME-UUID.log`), which it returns.
    static func launch(_ process: Process, logNamed name: String, in scratch: URL) throws -> URL {
        let log = scratch.appendingPathComponent("\(name)-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return log
    }
}

struct HammerTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
