import Foundation
import RuneTestSupport
import Testing

/// docker-registry with htpasswd basic auth behind TLS, its certificate from a CA the test makes:
/// `rune login` (checked, stored 0600), then push and pull with the stored login or the
/// environment's; wrong passwords, missing logins and an untrusted CA are refused clearly.
@Suite(.enabled(if: RegistryServer.mustRun, "needs Debian's docker-registry (scripts/install-dependencies)"), .serialized,
       .timeLimit(.minutes(5)))
struct RegistryAuthTLSTests {
    @Test func loginPushPullOverTLSWithBasicAuth() throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let certificates = try TestCertificates(in: scratch)
        let htpasswd = try TestCertificates.htpasswd(in: scratch, user: "alice", password: "correct horse")
        let server = try RegistryServer(tls: (certificates.serverCertificate, certificates.serverKey), htpasswd: htpasswd)
        defer { server.stop() }
        let config = scratch.appendingPathComponent("config")
        let ca = ["--ca-file", certificates.caCertificate.path]
        let runeFile = try RegistryPushPullTests.sineRune()
        let reference = "\(server.address)/team/sine:1"
        let credentialsFile = config.appendingPathComponent("rune/registries.json")

        // Without the CA, TLS verification fails and the message says what to do.
        let untrusted = try RegistryPushPullTests.rune(["login", server.address, "--username", "alice"], config: config,
                                                       environment: ["RUNE_REGISTRY_PASSWORD": "correct horse"])
        #expect(untrusted.status == 1)
        #expect(untrusted.standardError.contains("--ca-file"), "\(untrusted.standardError)")

        // A wrong password is refused with the registry's code and status, and nothing is stored.
        let wrong = try RegistryPushPullTests.rune(["login", server.address, "--username", "alice"] + ca, config: config,
                                                   environment: ["RUNE_REGISTRY_PASSWORD": "wrong"])
        #expect(wrong.status == 1)
        #expect(wrong.standardError.contains("401"), "\(wrong.standardError)")
        #expect(wrong.standardError.contains("UNAUTHORIZED"), "\(wrong.standardError)")
        #expect(wrong.standardError.contains("refused the credentials of user 'alice'"), "\(wrong.standardError)")
        #expect(!FileManager.default.fileExists(atPath: credentialsFile.path))

        // No login at all: the registry's challenge becomes a hint to log in.
        let anonymous = try RegistryPushPullTests.rune(["push", runeFile.path, reference] + ca, config: config)
        #expect(anonymous.status == 1)
        #expect(anonymous.standardError.contains("UNAUTHORIZED"), "\(anonymous.standardError)")
        #expect(anonymous.standardError.contains("rune login \(server.address)"), "\(anonymous.standardError)")

        // The right password, on stdin.
        let shell = URL(fileURLWithPath: "/bin/sh")
        let login = try Executables.run(executable: shell, ["-c", "printf '%s\\n' 'correct horse' | \"$RUNE\" login \"$REGISTRY\" --username alice --password-stdin --ca-file \"$CA\""],
                                        timeout: 120,
                                        environment: ["RUNE": Executables.url("rune").path, "REGISTRY": server.address,
                                                      "CA": certificates.caCertificate.path, "XDG_CONFIG_HOME": config.path,
                                                      "RUNE_REGISTRY_USERNAME": "", "RUNE_REGISTRY_PASSWORD": ""])
        try #require(login.status == 0, "\(login.standardError)")
        #expect(login.standardOutput == "logged in to \(server.address) as alice\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: credentialsFile.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOf: credentialsFile, encoding: .utf8).contains("\"alice\""))

        let push = try RegistryPushPullTests.rune(["push", runeFile.path, reference] + ca, config: config)
        try #require(push.status == 0, "\(push.standardError)")
        let digest = push.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let pulled = scratch.appendingPathComponent("pulled.rune")
        let pull = try RegistryPushPullTests.rune(["pull", "\(server.address)/team/sine@\(digest)", "-o", pulled.path] + ca, config: config)
        try #require(pull.status == 0, "\(pull.standardError)")
        #expect(try Data(contentsOf: pulled) == (try Data(contentsOf: runeFile)))

        // The environment's credentials, with no stored login, work too; and win over it when wrong.
        let empty = scratch.appendingPathComponent("empty-config")
        let fromEnvironment = try RegistryPushPullTests.rune(["pull", reference, "-o", pulled.path] + ca, config: empty,
                                                             environment: ["RUNE_REGISTRY_USERNAME": "alice", "RUNE_REGISTRY_PASSWORD": "correct horse"])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.standardError)")
        let wrongEnvironment = try RegistryPushPullTests.rune(["pull", reference, "-o", pulled.path] + ca, config: config,
                                                              environment: ["RUNE_REGISTRY_USERNAME": "alice", "RUNE_REGISTRY_PASSWORD": "nope"])
        #expect(wrongEnvironment.status == 1)
        #expect(wrongEnvironment.standardError.contains("UNAUTHORIZED"), "\(wrongEnvironment.standardError)")

        // Plain HTTP to this TLS registry is not silently upgraded or downgraded: it fails.
        let plain = try RegistryPushPullTests.rune(["pull", reference, "-o", pulled.path, "--insecure"], config: config)
        #expect(plain.status == 1)

        let logout = try RegistryPushPullTests.rune(["logout", server.address], config: config)
        #expect(logout.status == 0)
        #expect(!(try String(contentsOf: credentialsFile, encoding: .utf8).contains("alice")))
    }
}
