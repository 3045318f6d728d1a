/// Prints a pipeline as stable text: what `runec --emit ir` shows and what tests compare.
///
/// ```
/// pipeline image="runicos/base"
///   %audio = capability SOUND {hz=16000, sample_duration_ms=1000, source=0} -> I16[16000]
///   %fft = proc_block fft {} (%audio) -> U32[1960]
///   output serial SERIAL {} (%label)
/// ```
public struct PipelinePrinter {
    public init() {}

    public func print(_ pipeline: Pipeline) -> String {
        var lines = ["pipeline image=\(quote(pipeline.image))"]
        for stage in pipeline.stages {
            let inputs = stage.inputs.map { reference in
                let producer = pipeline.stages[reference.stage]
                return producer.outputTypes.count > 1 ? "%\(producer.name).\(reference.output)" : "%\(producer.name)"
            }
            let inputText = inputs.isEmpty ? "" : " (\(inputs.joined(separator: ", ")))"
            let outputText = stage.outputTypes.isEmpty ? "" : " -> " + stage.outputTypes.map(\.description).joined(separator: ", ")
            switch stage.operation {
            case .capability(let kind, let arguments):
                lines.append("  %\(stage.name) = capability \(kind.name) \(format(arguments))\(inputText)\(outputText)")
            case .procBlock(let block, let arguments):
                lines.append("  %\(stage.name) = proc_block \(block.name) \(format(arguments))\(inputText)\(outputText)")
            case .userBlock(let path, let arguments):
                lines.append("  %\(stage.name) = user_block \(quote(path)) \(format(arguments))\(inputText)\(outputText)")
            case .model(let model):
                lines.append("  %\(stage.name) = model \(quote(normalizedPath(model.path)))\(inputText)\(outputText)")
            case .output(let kind, let arguments):
                lines.append("  output \(stage.name) \(kind.name) \(format(arguments))\(inputText)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func format(_ arguments: ResolvedArguments) -> String {
        "{" + arguments.entries.map { "\($0.key)=\(quoteIfNeeded($0.value.text))" }.joined(separator: ", ") + "}"
    }

    /// `./model.tflite` and `model.tflite` name the same file.
    private func normalizedPath(_ path: String) -> String {
        var result = path
        while result.hasPrefix("./") { result.removeFirst(2) }
        return result
    }

    private func quoteIfNeeded(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-+".unicodeScalars.contains($0)
        }
        return plain ? text : quote(text)
    }

    private func quote(_ text: String) -> String {
        var result = "\""
        for character in text.unicodeScalars {
            switch character {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            default: result.unicodeScalars.append(character)
            }
        }
        return result + "\""
    }
}
