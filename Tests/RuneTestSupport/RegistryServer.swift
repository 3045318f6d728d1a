import Foundation
import Testing

/// Debian's `docker-registry` (CNCF distribution), started on a free port of 127.0.0.1 with a
/// storage folder and config of its own, optionally behind TLS and htpasswd basic auth; killed
/// and its folder removed by `stop()`. Shared by RegistryTests and the end-to-end `FROM` tests.
public final class RegistryServer {
    /// The registry program, or nil when it is not installed.
    public static var binary: URL? { Executables.system("docker-registry") }

    /// Whether the real parts are missing and the tests must fail rather than skip: under CI the
    /// dependencies script installs them, so missing means broken.
    public static var mustRun: Bool { binary != nil || ProcessInfo.processInfo.environment["CI"] == "true" }

    public let port: UInt16
    public let folder: URL
    public let storage: URL
    public let logURL: URL
    private let process: Process

    /// `127.0.0.1:PORT`, the registry part of references.
    public var address: String { "127.0.0.1:\(port)" }

    /// Docker token auth: the token service's realm URL, its service and issuer names, and the
    /// certificates its tokens are signed under.
    public struct TokenAuth {
        public var realm: String
        public var service: String
        public var issuer: String
        public var rootCertificates: URL

        public init(realm: String, service: String, issuer: String, rootCertificates: URL) {
            self.realm = realm
            self.service = service
            self.issuer = issuer
            self.rootCertificates = rootCertificates
        }
    }

    /// TLS needs a certificate and key (PEM); basic auth an htpasswd file of bcrypt hashes.
    public init(tls: (certificate: URL, key: URL)? = nil, htpasswd: URL? = nil, token: TokenAuth? = nil) throws {
        let binary = try #require(Self.binary, "docker-registry is not installed; scripts/install-dependencies installs it")
        folder = try Executables.temporaryFolder()
        storage = folder.appendingPathComponent("storage")
        logURL = folder.appendingPathComponent("registry.log")
        port = try Executables.freeLoopbackPort()
        var config = """
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: false
            storage:
              filesystem:
                rootdirectory: \(storage.path)
            http:
              addr: 127.0.0.1:\(port)

            """
        if let tls {
            config += "  tls:\n    certificate: \(tls.certificate.path)\n    key: \(tls.key.path)\n"
        }
        if let htpasswd {
            config += "auth:\n  htpasswd:\n    realm: rune-test\n    path: \(htpasswd.path)\n"
        } else if let token {
            config += "auth:\n  token:\n    realm: \(token.realm)\n    service: \(token.service)\n    issuer: \(token.issuer)\n    rootcertbundle: \(token.rootCertificates.path)\n"
        }
        let configURL = folder.appendingPathComponent("config.yml")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process = Process()
        process.executableURL = binary
        process.arguments = ["serve", configURL.path]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try log.close()
        try waitUntilListening()
    }

    /// Polls the port until the registry accepts connections (at most 20 s).
    private func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            guard process.isRunning else {
                throw ServerError(description: "docker-registry exited at start:\n\(log())")
            }
            if Self.accepts(port) { return }
            usleep(50_000)
        }
        stop()
        throw ServerError(description: "docker-registry did not listen on \(address) within 20 s:\n\(log())")
    }

    /// Whether something accepts connections on `port` of 127.0.0.1.
    public static func accepts(_ port: UInt16) -> Bool {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// Kills the registry (SIGKILL: Foundation's children inherit a blocked SIGTERM) and removes
    /// its folder.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }

    /// What the registry has logged so far.
    public func log() -> String {
        String(decoding: (try? Data(contentsOf: logURL)) ?? Data(), as: UTF8.self)
    }

    /// Upload sessions the registry has opened (`POST /v2/…/blobs/uploads/` in its access log).
    public func uploadsStarted() -> Int {
        log().split(separator: "\n").filter { $0.contains("\"POST /v2/") && $0.contains("/blobs/uploads/") }.count
    }

    /// Where the registry keeps the blob `digest` (`sha256:HEX`) on disk.
    public func blobFile(_ digest: String) -> URL {
        let hex = String(digest.dropFirst("sha256:".count))
        return storage.appendingPathComponent("docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data")
    }

    public struct ServerError: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }
}
