import RuneManifest

/// Derives a rune's manifest from its pipeline: what it asks of its host.
struct ManifestBuilder {
    var pipeline: Pipeline
    /// Sizes of each MODEL stage's compiled code, by stage name.
    var models: [String: ModelCode]
    /// Bytes of linear memory the rune needs, estimated from its static data.
    var memoryBytes: Int

    func build() -> Manifest {
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
        return Manifest(capabilities: capabilities, outputs: outputs, models: modelEntries, memoryBytes: memoryBytes)
    }

    private func manifestArguments(_ arguments: ResolvedArguments) -> [Manifest.Argument] {
        arguments.entries.map { Manifest.Argument(key: $0.key, value: $0.value.text) }
    }
}
