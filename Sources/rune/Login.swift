import ArgumentParser
import Foundation
import RuneManifest
import RuneRegistry

/// `rune login`: check and store credentials for a registry.
struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log in to an OCI registry and store the credentials.",
        discussion: """
            Checks the user name and password with the registry (answering its Basic or Bearer \
            challenge), then stores them in $XDG_CONFIG_HOME/rune/registries.json (default \
            ~/.config/rune), readable by you only (mode 0600). 'rune push' and 'rune pull' use \
            them; RUNE_REGISTRY_USERNAME and RUNE_REGISTRY_PASSWORD, when set, win over them.

            The user name is --username, else RUNE_REGISTRY_USERNAME. The password is read from \
            stdin with --password-stdin, else taken from RUNE_REGISTRY_PASSWORD, else asked for \
            at the terminal. It is never an argument, so it stays out of shell history and ps.

            Examples:
              echo "$PW" | rune login reg.example.com --username ci --password-stdin
              rune login localhost:5443 --username alice --ca-file ca.pem
            """)

    @Argument(help: ArgumentHelp("The registry: HOST[:PORT].", valueName: "registry"))
    var registryHost: String

    @Option(help: "The user name.")
    var username: String?

    @Flag(help: "Read the password from stdin (one line).")
    var passwordStdin = false

    @OptionGroup var registry: RegistryOptions

    func run() async throws {
        let host = try Self.registryHost(registryHost)
        let environment = ProcessInfo.processInfo.environment
        guard let user = username ?? environment["RUNE_REGISTRY_USERNAME"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            StandardError().write("error: no user name: pass --username or set RUNE_REGISTRY_USERNAME\n")
            throw ExitCode(1)
        }
        let password = try readPassword(environment)
        guard let store = CredentialStore.standard() else {
            StandardError().write("error: no folder to store the login in: set XDG_CONFIG_HOME or HOME to an absolute path\n")
            throw ExitCode(1)
        }
        let credentials = RegistryCredentials(username: user, password: password)
        try await reportingRegistryErrors {
            try await RegistryClient.with(options: registry.connection) {
                try await $0.checkLogin(registry: host, credentials: credentials)
            }
            try store.store(credentials, for: host)
        }
        print("logged in to \(host) as \(user)")
        StandardError().write("credentials stored in \(store.path) (mode 0600)\n")
    }

    /// `HOST[:PORT]` as the reference grammar allows it, or exit with the reason.
    static func registryHost(_ text: String) throws -> String {
        guard !text.contains("/"), let parsed = try? ImageReference(parsing: "\(text)/login"), parsed.registry == text else {
            StandardError().write("error: '\(text)' is not a registry host: give HOST[:PORT] only, such as registry.example.com or localhost:5000\n")
            throw ExitCode(1)
        }
        return text
    }

    private func readPassword(_ environment: [String: String]) throws -> String {
        if passwordStdin {
            var bytes: [UInt8] = []
            let limit = 64 << 10
            var chunk = [UInt8](repeating: 0, count: 4096)
            while bytes.count <= limit {
                let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                bytes += chunk[..<count]
            }
            guard bytes.count <= limit else {
                StandardError().write("error: the password on stdin is longer than \(limit) bytes\n")
                throw ExitCode(1)
            }
            while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
            guard !bytes.isEmpty, let text = String(validating: bytes, as: UTF8.self) else {
                StandardError().write("error: no password on stdin (or it is not UTF-8)\n")
                throw ExitCode(1)
            }
            return text
        }
        if let password = environment["RUNE_REGISTRY_PASSWORD"], !password.isEmpty { return password }
        guard isatty(0) == 1, let typed = getpass("Password: ") else {
            StandardError().write("error: no password: pass --password-stdin, set RUNE_REGISTRY_PASSWORD, or run at a terminal\n")
            throw ExitCode(1)
        }
        return String(cString: typed)
    }
}
