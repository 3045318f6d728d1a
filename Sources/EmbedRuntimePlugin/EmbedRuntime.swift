import Foundation
import PackagePlugin

/// Embeds the C sources under `Runtime/` into the target that uses this plugin, so `runec` carries
/// the ABI header, kernels, processing blocks and board support it compiles into every rune.
@main
struct EmbedRuntime: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let runtime = context.package.directoryURL.appending(path: "Runtime")
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedRuntime.swift")
        var inputs: [URL] = []
        if let walker = FileManager.default.enumerator(at: runtime, includingPropertiesForKeys: nil) {
            for case let url as URL in walker where EmbedRuntime.isEmbedded(url) {
                inputs.append(url)
            }
        }
        return [
            .buildCommand(
                displayName: "Embedding Runtime/ into \(target.name)",
                executable: try context.tool(named: "embed-runtime").url,
                arguments: [runtime.path, output.path],
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }

    static func isEmbedded(_ url: URL) -> Bool {
        ["c", "h", "ld", "S"].contains(url.pathExtension) && !url.path.contains("/tests/")
    }
}
