import ArgumentParser
import Foundation
import RuneManifest
import RuneRegistry
import RuneRuntime

/// `rune push`: a rune to an OCI registry.
struct Push: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Push a rune to an OCI registry.",
        discussion: """
            Stores the rune as an OCI artifact (the CNCF wasm layout: an \
            application/vnd.oci.image.manifest.v1+json manifest, an \
            application/vnd.wasm.config.v0+json config, the rune as one application/wasm layer, \
            and annotations listing its capabilities, outputs and models). Blobs the registry \
            already has are not uploaded again. Prints the manifest digest on stdout: pull \
            REGISTRY/REPO@DIGEST to get exactly this rune back.

            Credentials come from RUNE_REGISTRY_USERNAME and RUNE_REGISTRY_PASSWORD, else from \
            'rune login'.

            Examples:
              rune push sine.rune registry.example.com/team/sine:1
              rune push sine.rune localhost:5000/sine:1 --insecure
            """)

    @Argument(help: "The .rune file.")
    var rune: String

    @Argument(help: ArgumentHelp("Where to push it: REGISTRY/REPOSITORY:TAG.", valueName: "reference"))
    var reference: String

    @OptionGroup var registry: RegistryOptions

    @Flag(help: "Print the result as JSON on stdout.")
    var json = false

    func run() async throws {
        let target = try parseReference(reference)
        let bytes = try readRune(rune)
        let loaded: Rune
        do {
            loaded = try Rune(bytes: bytes)
        } catch {
            StandardError().write("error: '\(rune)' is not a rune: \(error)\n")
            throw ExitCode(1)
        }
        let pushed = try await reportingRegistryErrors {
            let artifact = try RuneArtifact(rune: bytes, runeManifest: loaded.manifest)
            return try await RegistryClient.with(options: registry.connection, credentials: RegistryClient.standardCredentials()) {
                try await $0.push(artifact, to: target)
            }
        }
        if json {
            let object: [String: Any] = [
                "reference": target.description, "digest": pushed.manifestDigest.description,
                "uploaded_blobs": pushed.uploadedBlobs, "existing_blobs": pushed.existingBlobs,
                "uploaded_bytes": pushed.uploadedBytes,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(pushed.manifestDigest)
        }
        StandardError().write("pushed \(rune) to \(target): \(pushed.uploadedBlobs) blob\(pushed.uploadedBlobs == 1 ? "" : "s") uploaded (\(pushed.uploadedBytes) bytes), \(pushed.existingBlobs) already there\n")
    }
}
