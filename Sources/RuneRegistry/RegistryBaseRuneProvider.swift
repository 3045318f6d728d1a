import RuneManifest

/// Where runec's `FROM REGISTRY/REPO:TAG` finds its base: the registry (pulled, verified and
/// kept in the pull cache by digest, as `rune pull` does), or with `offline` the pull cache alone.
///
/// RuneCompiler knows only the ``BaseRuneProvider`` protocol, so the compiler library (and hmr,
/// which links it) carries no HTTP stack; runec links this module and passes one.
public struct RegistryBaseRuneProvider: BaseRuneProvider {
    public var options: RegistryConnectionOptions
    public var credentials: RegistryClient.CredentialLookup
    public var cache: PullCache?

    /// `cache` nil means no cache folder could be named: then only an online pull works.
    public init(options: RegistryConnectionOptions = .init(),
                credentials: @escaping RegistryClient.CredentialLookup = RegistryClient.standardCredentials(),
                cache: PullCache? = PullCache.standard()) {
        self.options = options
        self.credentials = credentials
        self.cache = cache
    }

    public func baseRune(for reference: ImageReference, offline: Bool) throws(BaseRuneError) -> BaseRune {
        let pulled: PulledRune
        do {
            pulled = try RegistryClient.pullRuneBlocking(reference, options: options, credentials: credentials,
                                                         cache: cache, offline: offline)
        } catch let error as RegistryError {
            throw BaseRuneError(error.message, help: offline ? "pull it first with 'rune pull \(reference) -o FILE', or build without --offline"
                                                             : Self.help(for: error))
        } catch {
            throw BaseRuneError("\(error)")
        }
        return BaseRune(bytes: pulled.bytes, manifestDigest: pulled.manifestDigest.description,
                        runeDigest: pulled.layerDigest.description)
    }

    private static func help(for error: RegistryError) -> String? {
        if error.codes.contains(where: { ["UNAUTHORIZED", "DENIED"].contains($0) }) {
            return "log in with 'rune login REGISTRY', or set RUNE_REGISTRY_USERNAME and RUNE_REGISTRY_PASSWORD"
        }
        if error.codes.contains(where: { ["MANIFEST_UNKNOWN", "NAME_UNKNOWN"].contains($0) }) {
            return "check the repository and tag; 'rune push RUNE REFERENCE' publishes a rune"
        }
        return nil
    }
}
