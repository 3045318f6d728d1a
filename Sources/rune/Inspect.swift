import ArgumentParser
import Foundation
import RuneAOT
import RuneFiles
import RuneManifest
import RuneRuntime

/// `rune inspect`: what a rune declares, without running it.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a rune's manifest, models and section sizes.",
        discussion: "Reads the 'rune.manifest' section, and 'rune.lineage' (the base a FROM REGISTRY/REPO:TAG rune was built on, shown as 'derived from' with its manifest digest and the rune's own SHA-256); no rune code runs.")

    @Argument(help: "The .rune file.")
    var rune: String

    @Flag(help: "Print JSON on stdout.")
    var json = false

    func run() throws {
        let data = try readRune(rune)
        do {
            let loaded = try Rune(bytes: data)
            print(json ? jsonReport(loaded) : textReport(loaded), terminator: "")
        } catch {
            StandardError().write("error: \(error)\n")
            throw ExitCode(1)
        }
    }

    private func arguments(_ arguments: [Manifest.Argument]) -> String {
        arguments.isEmpty ? "" : " " + arguments.map { "--\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    func textReport(_ rune: Rune) -> String {
        let manifest = rune.manifest
        var lines = ["\(self.rune): \(rune.bytes.count) bytes, manifest version \(manifest.version), needs \(manifest.memoryBytes) bytes of memory"]
        lines.append("capabilities:")
        for (index, capability) in manifest.capabilities.enumerated() {
            lines.append("  \(index) \(capability.name): \(capability.kind) -> \(capability.tensor)\(arguments(capability.arguments))")
        }
        if manifest.capabilities.isEmpty { lines.append("  (none)") }
        lines.append("outputs:")
        for (index, output) in manifest.outputs.enumerated() {
            lines.append("  \(index) \(output.name): \(output.kind) <- \(output.inputs.map(\.description).joined(separator: ", "))\(arguments(output.arguments))")
        }
        if manifest.outputs.isEmpty { lines.append("  (none)") }
        lines.append("models:")
        for model in manifest.models {
            lines.append("  \(model.name): \(model.source), \(model.inputs.map(\.description).joined(separator: ", ")) -> \(model.outputs.map(\.description).joined(separator: ", ")), \(model.weightBytes) weight bytes, \(model.arenaBytes) arena bytes")
        }
        if manifest.models.isEmpty { lines.append("  (none)") }
        if let lineage = rune.lineage {
            // The manifest digest pins the base: REGISTRY/REPO@MANIFEST pulls exactly it.
            lines.append("derived from: \(lineage.reference) (manifest \(lineage.manifestDigest ?? "not recorded"), rune \(lineage.runeDigest))")
        }
        lines.append("native code: \(NativeCodeState(rune: rune.bytes).text)")
        lines.append("sections:")
        for section in rune.sections.sections {
            let label = section.id == 0 ? "custom \"\(section.name)\"" : section.name
            lines.append("  \(label.padding(toLength: 24, withPad: " ", startingAt: 0)) \(section.size) bytes")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func jsonReport(_ rune: Rune) -> String {
        let manifest = rune.manifest
        func tensor(_ type: TensorType) -> [String: Any] {
            ["type": type.elementType.name, "dimensions": type.dimensions]
        }
        func args(_ arguments: [Manifest.Argument]) -> [String: String] {
            Dictionary(arguments.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        }
        let object: [String: Any] = [
            "bytes": rune.bytes.count,
            "manifest": [
                "version": Int(manifest.version),
                "memory_bytes": manifest.memoryBytes,
                "capabilities": manifest.capabilities.map {
                    ["name": $0.name, "kind": $0.kind, "tensor": tensor($0.tensor), "args": args($0.arguments)] as [String: Any]
                },
                "outputs": manifest.outputs.map {
                    ["name": $0.name, "kind": $0.kind, "inputs": $0.inputs.map(tensor), "args": args($0.arguments)] as [String: Any]
                },
                "models": manifest.models.map {
                    ["name": $0.name, "source": $0.source, "weight_bytes": $0.weightBytes, "arena_bytes": $0.arenaBytes,
                     "inputs": $0.inputs.map(tensor), "outputs": $0.outputs.map(tensor)] as [String: Any]
                },
            ] as [String: Any],
            "native_code": NativeCodeState(rune: rune.bytes).json,
            "lineage": rune.lineage.map {
                ["reference": $0.reference, "manifest_digest": $0.manifestDigest ?? NSNull(), "rune_digest": $0.runeDigest] as [String: Any]
            } ?? NSNull(),
            "sections": rune.sections.sections.map { ["id": Int($0.id), "name": $0.name, "bytes": $0.size] as [String: Any] },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
