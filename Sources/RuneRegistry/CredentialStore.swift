import Foundation
import RuneFiles
import RuneManifest

/// The logins `rune login` stores: `registries.json` in `$XDG_CONFIG_HOME/rune` (default
/// `~/.config/rune`), written with mode 0600 in a folder of mode 0700, one entry per registry
/// host.
///
/// The password is stored as given, like Docker's `config.json` without a credential helper:
/// the file's mode is what protects it. `RUNE_REGISTRY_USERNAME` and `RUNE_REGISTRY_PASSWORD`
/// win over a stored login, for CI.
public struct CredentialStore: Sendable {
    /// The folder holding `registries.json`.
    public let folder: String

    /// The file's path.
    public var path: String { folder + "/registries.json" }

    public init(folder: String) { self.folder = folder }

    /// The store under the user's config folder, or nil when no folder can be named.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> CredentialStore? {
        UserFolders.config(environment: environment).map(CredentialStore.init(folder:))
    }

    private struct File: Codable {
        var registries: [String: RegistryCredentials]
    }

    /// The stored login for `registry` (`host[:port]` as written in references), if any.
    public func credentials(for registry: String) throws(RegistryError) -> RegistryCredentials? {
        try read().registries[registry]
    }

    /// Stores (or replaces) the login for `registry`.
    public func store(_ credentials: RegistryCredentials, for registry: String) throws(RegistryError) {
        var file = try read()
        file.registries[registry] = credentials
        try write(file)
    }

    /// Forgets the login for `registry`; true when there was one.
    @discardableResult
    public func remove(for registry: String) throws(RegistryError) -> Bool {
        var file = try read()
        guard file.registries.removeValue(forKey: registry) != nil else { return false }
        try write(file)
        return true
    }

    private func read() throws(RegistryError) -> File {
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, limit: RuneLimits.maxCredentialsFileBytes,
                                         timeout: RuneLimits.defaultTimeoutSeconds, regularFileOnly: true)
        } catch BoundedFile.Failure.missing {
            return File(registries: [:])
        } catch {
            throw RegistryError("cannot read the stored logins '\(path)': \(error)")
        }
        do {
            return try JSONDecoder().decode(File.self, from: Data(bytes))
        } catch {
            throw RegistryError("the stored logins '\(path)' are not valid JSON of registries and credentials; fix or remove the file and log in again")
        }
    }

    private func write(_ file: File) throws(RegistryError) {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw RegistryError("cannot create the folder '\(folder)' for stored logins: \(error.localizedDescription)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(file) else { throw RegistryError("cannot encode the stored logins") }
        do {
            try OutputFile.replace(Array(data) + [UInt8(ascii: "\n")], at: path, permissions: 0o600)
        } catch {
            throw RegistryError("cannot store the login: \(error)")
        }
    }
}
