import ArgumentParser
import RuneManifest
import RuneRegistry

/// The connection options every registry command shares.
struct RegistryOptions: ParsableArguments {
    @Option(name: .customLong("ca-file"), help: ArgumentHelp(
        "A PEM file of CA certificates to trust for the registry, besides the system's.",
        discussion: "For a registry whose certificate comes from its own CA (a company's, or one made for a test).",
        valueName: "pem"))
    var caFile: String?

    @Flag(help: ArgumentHelp(
        "Use plain HTTP instead of HTTPS.",
        discussion: "Allowed only for registries on this machine (localhost, 127.0.0.0/8, [::1]), where nothing crosses a network. A remote registry over plain HTTP also needs --allow-insecure-remote."))
    var insecure = false

    @Flag(help: ArgumentHelp(
        "With --insecure, allow plain HTTP to a registry on another machine.",
        discussion: "Runes and credentials then cross the network unencrypted; anyone on the path can read or change them (pulls are still checked against their digests)."))
    var allowInsecureRemote = false

    func validate() throws {
        if allowInsecureRemote && !insecure {
            throw ValidationError("--allow-insecure-remote only makes sense with --insecure")
        }
    }

    var connection: RegistryConnectionOptions {
        RegistryConnectionOptions(caFile: caFile, insecure: insecure, allowInsecureRemote: allowInsecureRemote)
    }
}

/// Parses a command-line image reference, or exits with the reason.
func parseReference(_ text: String) throws -> ImageReference {
    do {
        return try ImageReference(parsing: text)
    } catch {
        StandardError().write("error: \(error)\n")
        throw ExitCode(1)
    }
}

/// Runs a registry operation, turning its failure into one line on stderr and exit status 1.
func reportingRegistryErrors<Result>(_ body: () async throws -> Result) async throws -> Result {
    do {
        return try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        StandardError().write("error: \(error)\n")
        throw ExitCode(1)
    }
}
