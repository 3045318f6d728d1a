import RuneManifest

/// How `rune` reaches registries: which CA to trust beyond the system's, and when plain HTTP is
/// allowed.
///
/// HTTPS is the default. `insecure` allows plain HTTP, but only to loopback registries
/// (`localhost`, `127.0.0.0/8`, `[::1]`), where nothing crosses a network; a remote registry over
/// plain HTTP also needs `allowInsecureRemote`, because credentials and runes would travel in
/// clear text. The same rule applies to redirects and to token realms.
public struct RegistryConnectionOptions: Sendable, Equatable {
    /// A PEM file of CA certificates trusted in addition to the system's (a registry with its own
    /// CA, such as one made for a test or a company).
    public var caFile: String?
    /// Use plain HTTP (loopback registries only, unless `allowInsecureRemote`).
    public var insecure: Bool
    /// With `insecure`, allow plain HTTP to registries that are not on this machine.
    public var allowInsecureRemote: Bool

    public init(caFile: String? = nil, insecure: Bool = false, allowInsecureRemote: Bool = false) {
        self.caFile = caFile
        self.insecure = insecure
        self.allowInsecureRemote = allowInsecureRemote
    }

    /// `http` or `https` for `registry`; throws when plain HTTP was asked for a remote registry
    /// without consent.
    func scheme(for registry: ImageReference) throws(RegistryError) -> String {
        guard insecure else { return "https" }
        guard registry.isLoopback || allowInsecureRemote else {
            throw RegistryError("--insecure sends runes and credentials in clear text, so it is allowed only for registries on this machine (localhost, 127.0.0.1, [::1]); '\(registry.registry)' is not one. Add --allow-insecure-remote if you mean it")
        }
        return "http"
    }

    /// Whether a request may go to `url`'s scheme and host (a redirect target or a token realm).
    func allows(scheme: String, host: String) -> Bool {
        switch scheme.lowercased() {
        case "https": return true
        case "http":
            guard insecure else { return false }
            if allowInsecureRemote { return true }
            return ImageReference(registry: host, repository: "x", tag: nil, digest: nil).isLoopback
        default: return false
        }
    }
}
