import RuneFrontEnd
import RuneManifest
import RuneModels

/// Derives a rune's manifest from its pipeline: what it asks of its host.
struct ManifestBuilder {
    var pipeline: Pipeline
    /// Sizes of each MODEL stage's compiled code, by stage name.
    var models: [String: ModelCode]

    /// The manifest and its binary form, built once.
    ///
    /// Its `memoryBytes` counts everything in the rune's memory: `staticBytes` of tensors,
    /// weights and arenas, the manifest blob itself with 16 bytes for its length prefix and
    /// alignment, and `stackBytes`. The blob's size depends on that count only through its last
    /// field, so the other fields are encoded once and the count appended; the blob is counted
    /// with a one-byte count (as runec always has counted it), then the whole rounded up to 16.
    func build(staticBytes: Int, stackBytes: Int) -> (manifest: Manifest, blob: [UInt8]) {
        var manifest = entries()
        let fields = manifest.encodedWithoutMemoryBytes()
        let countedBlobBytes = fields.count + 1
        manifest.memoryBytes = align(staticBytes + countedBlobBytes + 16 + stackBytes, 16)
        return (manifest, fields + Manifest.encoded(memoryBytes: manifest.memoryBytes))
    }

    /// The manifest's entries; `memoryBytes` is still 0.
    private func entries() -> Manifest {
        var capabilities: [Manifest.Capability] = []
        var outputs: [Manifest.Output] = []
        var modelEntries: [Manifest.Model] = []
        for stage in pipeline.stages {
            switch stage.operation {
            case .capability(let kind, let arguments):
                capabilities.append(Manifest.Capability(name: stage.name, kind: kind.name, tensor: stage.outputTypes[0],
                                                        arguments: manifestArguments(arguments)))
            case .output(let kind, let arguments):
                let inputs = stage.inputs.map { pipeline.stages[$0.stage].outputTypes[$0.output] }
                outputs.append(Manifest.Output(name: stage.name, kind: kind.name, inputs: inputs,
                                               arguments: manifestArguments(arguments)))
            case .model(let model):
                let code = models[stage.name]
                let source = model.path.split(separator: "/").last.map(String.init) ?? model.path
                modelEntries.append(Manifest.Model(name: stage.name, source: source, weightBytes: code?.weightBytes ?? 0,
                                                   arenaBytes: code?.arenaBytes ?? 0, inputs: model.inputTypes,
                                                   outputs: model.outputTypes))
            case .procBlock, .userBlock:
                break
            }
        }
        return Manifest(capabilities: capabilities, outputs: outputs, models: modelEntries, memoryBytes: 0)
    }

    private func manifestArguments(_ arguments: ResolvedArguments) -> [Manifest.Argument] {
        arguments.entries.map { Manifest.Argument(key: $0.key, value: $0.value.text) }
    }
}
