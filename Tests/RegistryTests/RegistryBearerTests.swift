import Foundation
import RuneTestSupport
import Testing

/// The bearer-token flow against docker-registry configured with `auth: token`: the registry
/// answers `401 WWW-Authenticate: Bearer realm=…,service=…,scope=…`, `rune` gets a token from the
/// realm with the user's Basic credentials and retries. The token service is a small Python
/// program (`TokenServer/token_server.py`) issuing ES256 JWTs the registry verifies against a
/// certificate the test makes.
@Suite(.enabled(if: RegistryServer.mustRun, "needs Debian's docker-registry (scripts/install-dependencies)"), .serialized,
       .timeLimit(.minutes(5)))
struct RegistryBearerTests {
    final class TokenService {
        let port: UInt16
        let logURL: URL
        private let process: Process

        init(in folder: URL, certificates: TestCertificates, issuer: String, user: String, password: String) throws {
            // Debian's python3 first: python3-cryptography installs there, whatever else is on PATH.
            let debian = URL(fileURLWithPath: "/usr/bin/python3")
            let python = try #require(FileManager.default.isExecutableFile(atPath: debian.path) ? debian : Executables.system("python3"),
                                      "python3 is not installed; scripts/install-dependencies installs it")
            let check = try Executables.run(executable: python, ["-c", "import cryptography"], timeout: 60)
            try #require(check.status == 0, "python3 lacks the cryptography package (Debian's python3-cryptography):\n\(check.standardError)")
            port = try Executables.freeLoopbackPort()
            logURL = folder.appendingPathComponent("token.log")
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
            let log = try FileHandle(forWritingTo: logURL)
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("TokenServer/token_server.py")
            process = Process()
            process.executableURL = python
            process.arguments = [script.path, String(port), certificates.caCertificate.path, certificates.caKey.path, issuer, user, password]
            process.standardOutput = log
            process.standardError = log
            process.standardInput = FileHandle.nullDevice
            try process.run()
            try log.close()
            let deadline = Date().addingTimeInterval(20)
            while !RegistryServer.accepts(port) {
                guard process.isRunning, Date() < deadline else {
                    stop()
                    throw RegistryServer.ServerError(description: "the token service did not start:\n\(self.log())")
                }
                usleep(50_000)
            }
        }

        func log() -> String { String(decoding: (try? Data(contentsOf: logURL)) ?? Data(), as: UTF8.self) }

        func stop() {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
    }

    @Test func loginPushPullWithTokensFromTheRealm() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let certificates = try TestCertificates(in: scratch)
        let tokens = try TokenService(in: scratch, certificates: certificates, issuer: "rune-test-issuer", user: "bob", password: "s3cret")
        defer { tokens.stop() }
        let server = try RegistryServer(token: .init(realm: "http://127.0.0.1:\(tokens.port)/token", service: "rune-test-registry",
                                                     issuer: "rune-test-issuer", rootCertificates: certificates.caCertificate))
        defer { server.stop() }
        let config = scratch.appendingPathComponent("config")
        let runeFile = try RegistryPushPullTests.sineRune()
        let reference = "\(server.address)/team/sine:1"

        // Anonymous: the token service refuses, and the message says to log in.
        let anonymous = try RegistryPushPullTests.rune(["pull", reference, "-o", scratch.appendingPathComponent("a.rune").path, "--insecure"],
                                                       config: config)
        #expect(anonymous.status == 1)
        #expect(anonymous.standardError.contains("UNAUTHORIZED"), "\(anonymous.standardError)")
        #expect(anonymous.standardError.contains("rune login \(server.address)"), "\(anonymous.standardError)")

        let wrong = try RegistryPushPullTests.rune(["login", server.address, "--username", "bob", "--insecure"], config: config,
                                                   environment: ["RUNE_REGISTRY_PASSWORD": "nope"])
        #expect(wrong.status == 1)
        #expect(wrong.standardError.contains("401") && wrong.standardError.contains("UNAUTHORIZED"), "\(wrong.standardError)")
        #expect(wrong.standardError.contains("refused the credentials of user 'bob'"), "\(wrong.standardError)")

        let login = try RegistryPushPullTests.rune(["login", server.address, "--username", "bob", "--insecure"], config: config,
                                                   environment: ["RUNE_REGISTRY_PASSWORD": "s3cret"])
        try #require(login.status == 0, "\(login.standardError)\n\(tokens.log())\n\(server.log())")

        let push = try RegistryPushPullTests.rune(["push", runeFile.path, reference, "--insecure", "--json"], config: config)
        try #require(push.status == 0, "\(push.standardError)\n\(tokens.log())")
        let pulled = scratch.appendingPathComponent("pulled.rune")
        let pull = try RegistryPushPullTests.rune(["pull", reference, "-o", pulled.path, "--insecure"], config: config)
        try #require(pull.status == 0, "\(pull.standardError)\n\(tokens.log())")
        #expect(try Data(contentsOf: pulled) == (try Data(contentsOf: runeFile)))

        // The tokens were asked for with the registry's service and the repository's scopes.
        let log = tokens.log()
        #expect(log.contains("token user=bob service=rune-test-registry scope=repository:team/sine:pull,push status=200"), "\(log)")
        #expect(log.contains("token user=bob service=rune-test-registry scope=repository:team/sine:pull status=200"), "\(log)")
        #expect(log.contains("token user=bob service=rune-test-registry scope=- status=200"), "\(log)")
    }
}
