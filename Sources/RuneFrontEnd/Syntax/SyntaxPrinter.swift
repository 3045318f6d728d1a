import Foundation

/// Prints a parsed Runefile as stable text with source positions: the golden format of the
/// parser tests and of `runec --emit syntax`.
///
/// ```
/// runefile image="runicos/base"@1:6
/// stage capability audio@3:24 kind=SOUND@3:30
///   outputs I16[16000]@3:12
///   arg hz=16000@3:38
/// edge audio@9:5 -> fft@9:11
/// ```
public struct SyntaxPrinter {
    public init() {}

    public func print(_ syntax: RunefileSyntax) -> String {
        var lines: [String] = []
        lines.append("\(syntax.format.rawValue) image=\(syntax.image.map { quote($0.value) + at($0.range) } ?? "none")")
        for stage in syntax.stages {
            let referenceLabel = switch stage.kind {
            case .capability, .output: "kind"
            case .procBlock: "block"
            case .model: "path"
            }
            lines.append("stage \(kindName(stage.kind)) \(stage.name.value)\(at(stage.name.range)) \(referenceLabel)=\(quote(stage.reference.value))\(at(stage.reference.range))")
            if let inputs = stage.inputTypes { lines.append("  inputs " + types(inputs)) }
            if let outputs = stage.outputTypes { lines.append("  outputs " + types(outputs)) }
            for argument in stage.arguments {
                lines.append("  arg \(argument.key.value)\(at(argument.key.range))=\(value(argument.value.value))\(at(argument.value.range))")
            }
        }
        for edge in syntax.edges {
            let output = edge.outputIndex.map { ".\($0)" } ?? ""
            lines.append("edge \(edge.producer.value)\(output)\(at(edge.producer.range)) -> \(edge.consumer.value)\(at(edge.consumer.range))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func kindName(_ kind: StageKind) -> String {
        switch kind {
        case .capability: "capability"
        case .procBlock: "proc_block"
        case .model: "model"
        case .output: "out"
        }
    }

    private func types(_ types: [Located<TypeSyntax>]) -> String {
        types.map { type in
            let dimensions = type.value.dimensions.isEmpty ? "" : "[" + type.value.dimensions.map(String.init).joined(separator: ",") + "]"
            return type.value.elementType + dimensions + at(type.range)
        }.joined(separator: " ")
    }

    private func value(_ value: ArgumentValue) -> String {
        switch value {
        case .scalar(let text): quote(text)
        case .list(let items): "[" + items.map(quote).joined(separator: ", ") + "]"
        case .flag: "flag"
        }
    }

    private func at(_ range: SourceRange) -> String { "@\(range.start.line):\(range.start.column)" }

    private func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
