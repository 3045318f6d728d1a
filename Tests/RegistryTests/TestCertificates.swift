import Foundation
import RuneTestSupport
import Testing

/// A CA and a server certificate for 127.0.0.1 made with Debian's `openssl`, and an htpasswd file
/// of bcrypt hashes made with `htpasswd` (distribution accepts only bcrypt).
struct TestCertificates {
    let folder: URL
    var caCertificate: URL { folder.appendingPathComponent("ca.pem") }
    /// The CA's EC P-256 key (it also signs the bearer tests' tokens).
    var caKey: URL { folder.appendingPathComponent("ca.key") }
    var serverCertificate: URL { folder.appendingPathComponent("server.pem") }
    var serverKey: URL { folder.appendingPathComponent("server.key") }

    init(in folder: URL) throws {
        self.folder = folder
        let openssl = try #require(Executables.system("openssl"), "openssl is not installed; scripts/install-dependencies installs it")
        let extensions = folder.appendingPathComponent("server.ext")
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n".write(to: extensions, atomically: true, encoding: .utf8)
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.run(openssl, ["req", "-x509"] + curve + ["-keyout", folder.appendingPathComponent("ca.key").path,
                                                         "-out", caCertificate.path, "-days", "2", "-subj", "/CN=rune test CA"])
        try Self.run(openssl, ["req"] + curve + ["-keyout", serverKey.path, "-out", folder.appendingPathComponent("server.csr").path,
                                                 "-subj", "/CN=127.0.0.1"])
        try Self.run(openssl, ["x509", "-req", "-in", folder.appendingPathComponent("server.csr").path, "-CA", caCertificate.path,
                               "-CAkey", folder.appendingPathComponent("ca.key").path, "-CAcreateserial", "-days", "2",
                               "-extfile", extensions.path, "-out", serverCertificate.path])
    }

    /// An htpasswd file with one bcrypt entry.
    static func htpasswd(in folder: URL, user: String, password: String) throws -> URL {
        let htpasswd = try #require(Executables.system("htpasswd"), "htpasswd (apache2-utils) is not installed; scripts/install-dependencies installs it")
        let file = folder.appendingPathComponent("htpasswd")
        try run(htpasswd, ["-Bbc", file.path, user, password])
        return file
    }

    private static func run(_ program: URL, _ arguments: [String]) throws {
        let result = try Executables.run(executable: program, arguments, timeout: 60)
        try #require(result.status == 0, "\(program.lastPathComponent) \(arguments.joined(separator: " ")) failed:\n\(result.standardError)")
    }
}
