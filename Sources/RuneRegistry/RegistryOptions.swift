import ArgumentParser

/// The connection options every command that reaches a registry shares: `rune push`, `pull`,
/// `login`, and runec when a `FROM` pulls its base.
public struct RegistryOptions: ParsableArguments {
    public init() {}

    @Option(name: .customLong("ca-file"), help: ArgumentHelp(
        "A PEM file of CA certificates to trust for the registry, besides the system's.",
        discussion: "For a registry whose certificate comes from its own CA (a company's, or one made for a test).",
        valueName: "pem"))
    public var caFile: String?

    @Flag(help: ArgumentHelp(
        "Use plain HTTP instead of HTTPS.",
        discussion: "Allowed only for registries on this machine (localhost, 127.0.0.0/8, [::1]), where nothing crosses a network. A remote registry over plain HTTP also needs --allow-insecure-remote."))
    public var insecure = false

    @Flag(help: ArgumentHelp(
        "With --insecure, allow plain HTTP to a registry on another machine.",
        discussion: "Runes and credentials then cross the network unencrypted; anyone on the path can read or change them (pulls are still checked against their digests)."))
    public var allowInsecureRemote = false

    public func validate() throws {
        if allowInsecureRemote && !insecure {
            throw ValidationError("--allow-insecure-remote only makes sense with --insecure")
        }
    }

    public var connection: RegistryConnectionOptions {
        RegistryConnectionOptions(caFile: caFile, insecure: insecure, allowInsecureRemote: allowInsecureRemote)
    }
}
