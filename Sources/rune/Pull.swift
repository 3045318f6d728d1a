import ArgumentParser
import Foundation
import RuneFiles
import RuneManifest
import RuneRegistry

/// `rune pull`: a rune from an OCI registry.
struct Pull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pull a rune from an OCI registry.",
        discussion: """
            Fetches the manifest, checks that it describes a rune, then fetches the rune and \
            checks every digest (the manifest's against a @sha256: reference, the config's and \
            the rune's against the manifest) before writing anything. Pulled runes are kept by \
            digest in $XDG_CACHE_HOME/rune/oci (default ~/.cache/rune/oci), where runec's FROM \
            finds them. Prints the manifest digest on stdout.

            -o never replaces what is not a regular file holding a WebAssembly module.

            Examples:
              rune pull registry.example.com/team/sine:1 -o sine.rune
              rune pull localhost:5000/sine@sha256:0123… -o sine.rune --insecure
            """)

    @Argument(help: ArgumentHelp("What to pull: REGISTRY/REPOSITORY:TAG or REGISTRY/REPOSITORY@sha256:DIGEST.", valueName: "reference"))
    var reference: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the rune ('-' for stdout).", valueName: "file"))
    var output: String

    @OptionGroup var registry: RegistryOptions

    @Flag(help: "Print the result as JSON on stdout (not with -o -).")
    var json = false

    func validate() throws {
        if json && output == "-" { throw ValidationError("--json and -o - both write to stdout; choose one") }
    }

    func run() async throws {
        let source = try parseReference(reference)
        let pulled = try await reportingRegistryErrors {
            try await RegistryClient.with(options: registry.connection, credentials: RegistryClient.standardCredentials(),
                                          cache: PullCache.standard()) {
                try await $0.pullRune(source)
            }
        }
        if output == "-" {
            FileHandle.standardOutput.write(Data(pulled.bytes))
        } else {
            do {
                try OutputFile.write(pulled.bytes, to: output, magic: [0x00, 0x61, 0x73, 0x6D], formatName: "a WebAssembly module")
            } catch {
                StandardError().write("error: \(error)\n")
                throw ExitCode(1)
            }
            if json {
                let object: [String: Any] = [
                    "reference": source.description, "digest": pulled.manifestDigest.description,
                    "rune_digest": pulled.layerDigest.description, "bytes": pulled.bytes.count, "from_cache": pulled.fromCache,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(pulled.manifestDigest)
            }
        }
        StandardError().write("pulled \(source) (\(pulled.bytes.count) bytes\(pulled.fromCache ? ", from the cache" : "")) to \(output == "-" ? "stdout" : output)\n")
    }
}
