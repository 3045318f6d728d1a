import Yams

/// Parses `Runefile.yml`, version 1:
///
/// ```yaml
/// version: 1
/// image: runicos/base
/// pipeline:
///   audio:
///     capability: SOUND
///     outputs:
///       - type: I16
///         dimensions: [1, 16000]
///     args:
///       hz: 16000
///   fft:
///     proc-block: "hotg-ai/proc-blocks@v0.11.3#fft"
///     inputs: [audio]
///     outputs: [{type: U32, dimensions: [1, 1960]}]
///   serial:
///     out: serial
///     inputs: [fft]
/// ```
public struct YAMLRunefileParser {
    public let file: SourceFile
    let diagnostics: DiagnosticEngine

    public init(file: SourceFile, diagnostics: DiagnosticEngine) {
        self.file = file
        self.diagnostics = diagnostics
    }

    public func parse() -> RunefileSyntax {
        var syntax = RunefileSyntax(file: file, format: .yaml, image: nil, stages: [], edges: [])
        if let violation = YAMLBudget().check(file.text) {
            diagnostics.emit(.error(.yamlSyntax, violation.message,
                                    at: SourceRange(SourceLocation(file: file.path, line: violation.line, column: violation.column)),
                                    help: violation.help))
            return syntax
        }
        let root: Node
        do {
            guard let document = try Yams.compose(yaml: file.text) else {
                diagnostics.emit(.error(.yamlSyntax, "the Runefile.yml is empty", at: start,
                                        help: "start with 'version: 1', 'image: runicos/base' and a 'pipeline:'"))
                return syntax
            }
            root = document
        } catch let error as YamlError {
            report(error)
            return syntax
        } catch {
            diagnostics.emit(.error(.yamlSyntax, "cannot read YAML: \(error)", at: start))
            return syntax
        }
        guard let mapping = root.mapping else {
            diagnostics.emit(.error(.yamlSyntax, "the top level of a Runefile.yml must be a mapping", at: range(of: root)))
            return syntax
        }
        checkKeys(mapping, allowed: ["version", "image", "pipeline", "resources"], context: "the top level")

        if let version = mapping["version"] {
            if version.scalar?.string != "1" {
                diagnostics.emit(.error(.unsupportedVersion, "unsupported Runefile.yml version '\(version.scalar?.string ?? "?")'",
                                        at: range(of: version), help: "this runec reads version 1"))
            }
        } else {
            diagnostics.emit(.error(.unsupportedVersion, "the Runefile.yml has no version", at: range(of: root),
                                    help: "add 'version: 1'"))
        }
        if let image = mapping["image"], let text = image.scalar?.string, !text.isEmpty {
            syntax.image = Located(text, at: range(of: image))
        } else {
            diagnostics.emit(.error(.missingImage, "the Runefile.yml has no image", at: range(of: root),
                                    help: "add 'image: runicos/base'"))
        }
        if let resources = mapping["resources"] {
            syntax.resources = parseResources(resources)
        }
        guard let pipelineNode = mapping["pipeline"] else {
            diagnostics.emit(.error(.emptyPipeline, "the Runefile.yml has no pipeline", at: range(of: root),
                                    help: "add a 'pipeline:' mapping of stage names to stages"))
            return syntax
        }
        guard let pipeline = pipelineNode.mapping else {
            diagnostics.emit(.error(.yamlSyntax, "'pipeline' must be a mapping of stage names to stages",
                                    at: range(of: pipelineNode)))
            return syntax
        }
        for (key, value) in pipeline {
            guard let name = key.scalar?.string else {
                diagnostics.emit(.error(.yamlSyntax, "a stage name must be a string", at: range(of: key)))
                continue
            }
            if let stage = parseStage(named: Located(name, at: range(of: key)), value, edges: &syntax.edges) {
                syntax.stages.append(stage)
            } else {
                syntax.unparsedStageNames.insert(name)
            }
        }
        return syntax
    }

    private static let kindKeys: [(String, StageKind)] = [
        ("capability", .capability), ("proc-block", .procBlock), ("model", .model), ("out", .output),
    ]

    private func parseStage(named name: Located<String>, _ node: Node, edges: inout [EdgeSyntax]) -> StageSyntax? {
        guard isIdentifier(name.value) else {
            diagnostics.emit(.error(.syntax, "'\(name.value)' is not a valid stage name", at: name.range,
                                    help: "stage names are letters, digits, '_' and '-', starting with a letter or '_'"))
            return nil
        }
        guard let mapping = node.mapping else {
            diagnostics.emit(.error(.yamlSyntax, "stage '\(name.value)' must be a mapping", at: range(of: node),
                                    help: "give it one of 'capability', 'proc-block', 'model' or 'out'"))
            return nil
        }
        checkKeys(mapping, allowed: ["capability", "proc-block", "model", "out", "inputs", "outputs", "args"],
                  context: "stage '\(name.value)'")
        let kinds = YAMLRunefileParser.kindKeys.filter { mapping[$0.0] != nil }
        guard kinds.count == 1, let (key, kind) = kinds.first, let referenceNode = mapping[key] else {
            diagnostics.emit(.error(.syntax, kinds.isEmpty
                                        ? "stage '\(name.value)' does not say what it is"
                                        : "stage '\(name.value)' has more than one kind",
                                    at: name.range,
                                    help: "give it exactly one of 'capability', 'proc-block', 'model' or 'out'"))
            return nil
        }
        guard let reference = referenceNode.scalar?.string, !reference.isEmpty else {
            diagnostics.emit(.error(.syntax, "'\(key)' must be a string", at: range(of: referenceNode)))
            return nil
        }

        var outputTypes: [Located<TypeSyntax>]?
        if let outputs = mapping["outputs"] {
            outputTypes = parseTypes(outputs)
        }
        if let inputs = mapping["inputs"] {
            let items = inputs.sequence.map(Array.init) ?? (inputs.scalar != nil ? [inputs] : [])
            if items.isEmpty, inputs.sequence == nil {
                diagnostics.emit(.error(.yamlSyntax, "'inputs' must be a list of stage names", at: range(of: inputs)))
            }
            for item in items {
                guard let text = item.scalar?.string else {
                    diagnostics.emit(.error(.yamlSyntax, "an input must be a stage name", at: range(of: item)))
                    continue
                }
                let (producer, index) = splitOutputIndex(text)
                edges.append(EdgeSyntax(producer: Located(producer, at: SourceRange(range(of: item).start, length: producer.count)),
                                        outputIndex: index, consumer: name))
            }
        }
        var arguments: [ArgumentSyntax] = []
        if let args = mapping["args"] {
            if let argMapping = args.mapping {
                for (argKey, argValue) in argMapping {
                    guard let keyText = argKey.scalar?.string else {
                        diagnostics.emit(.error(.yamlSyntax, "an argument name must be a string", at: range(of: argKey)))
                        continue
                    }
                    guard let value = argumentValue(argValue) else { continue }
                    arguments.append(ArgumentSyntax(key: Located(keyText, at: range(of: argKey)),
                                                    value: Located(value, at: range(of: argValue))))
                }
            } else if !(args.scalar?.string.isEmpty ?? false) {
                diagnostics.emit(.error(.yamlSyntax, "'args' must be a mapping", at: range(of: args)))
            }
        }
        return StageSyntax(kind: kind, range: name.range, name: name,
                           reference: Located(reference, at: range(of: referenceNode)),
                           inputTypes: nil, outputTypes: outputTypes, arguments: arguments)
    }

    /// `resources:` maps names to `type` (`binary` or `string`, default `string`) and either a
    /// `path` or an `inline` value.
    private func parseResources(_ node: Node) -> [ResourceSyntax] {
        guard let mapping = node.mapping else {
            if node.scalar?.string.isEmpty ?? false { return [] }
            diagnostics.emit(.error(.yamlSyntax, "'resources' must be a mapping of names to resources", at: range(of: node),
                                    help: "write 'LABELS:' with 'type: string' and 'path: ./labels.txt' under it"))
            return []
        }
        var resources: [ResourceSyntax] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string, isIdentifier(name) else {
                diagnostics.emit(.error(.yamlSyntax, "'\(key.scalar?.string ?? "?")' is not a valid resource name", at: range(of: key),
                                        help: "resource names are letters, digits and '_', used as '$NAME'"))
                continue
            }
            let located = Located(name, at: range(of: key))
            guard let fields = value.mapping else {
                diagnostics.emit(.error(.yamlSyntax, "resource '\(name)' must be a mapping", at: range(of: value),
                                        help: "give it 'type' and a 'path' or an 'inline' value"))
                continue
            }
            checkKeys(fields, allowed: ["type", "path", "inline"], context: "resource '\(name)'")
            var kind = ResourceSyntax.Kind.string
            if let typeNode = fields["type"] {
                guard let text = typeNode.scalar?.string, let parsed = ResourceSyntax.Kind(rawValue: text.lowercased()) else {
                    diagnostics.emit(.error(.invalidArgument, "unknown resource type '\(typeNode.scalar?.string ?? "?")'",
                                            at: range(of: typeNode), help: "a resource is 'binary' or 'string'"))
                    continue
                }
                kind = parsed
            }
            func text(_ field: String) -> Located<String>? {
                guard let node = fields[field] else { return nil }
                guard let value = node.scalar?.string else {
                    diagnostics.emit(.error(.yamlSyntax, "'\(field)' of resource '\(name)' must be a string", at: range(of: node)))
                    return nil
                }
                return Located(value, at: range(of: node))
            }
            let path = text("path")
            let inline = text("inline")
            if let path, inline != nil {
                diagnostics.emit(.error(.invalidArgument, "resource '\(name)' has both a 'path' and an 'inline' value",
                                        at: path.range, help: "keep one of them"))
                continue
            }
            resources.append(ResourceSyntax(name: located, kind: kind, path: path, inline: inline))
        }
        return resources
    }

    /// `model.1` names output 1 of `model`.
    private func splitOutputIndex(_ text: String) -> (String, Int?) {
        if let dot = text.lastIndex(of: "."), let index = Int(text[text.index(after: dot)...]), index >= 0 {
            return (String(text[..<dot]), index)
        }
        return (text, nil)
    }

    private func parseTypes(_ node: Node) -> [Located<TypeSyntax>]? {
        guard let sequence = node.sequence else {
            diagnostics.emit(.error(.yamlSyntax, "'outputs' must be a list of types", at: range(of: node),
                                    help: "write '- type: I16' with 'dimensions: [1, 16000]'"))
            return nil
        }
        var types: [Located<TypeSyntax>] = []
        for item in sequence {
            guard let mapping = item.mapping else {
                diagnostics.emit(.error(.yamlSyntax, "a type must be a mapping with 'type' and 'dimensions'", at: range(of: item)))
                return nil
            }
            checkKeys(mapping, allowed: ["type", "dimensions"], context: "a type")
            guard let typeNode = mapping["type"], let elementType = typeNode.scalar?.string else {
                diagnostics.emit(.error(.invalidType, "a type needs a 'type' such as I16 or F32", at: range(of: item)))
                return nil
            }
            var dimensions: [Int] = []
            if let dimensionNode = mapping["dimensions"] {
                guard let list = dimensionNode.sequence else {
                    diagnostics.emit(.error(.invalidType, "'dimensions' must be a list of positive integers",
                                            at: range(of: dimensionNode)))
                    return nil
                }
                for dimension in list {
                    guard let value = dimension.scalar.flatMap({ Int($0.string) }), value > 0, value <= 1 << 30 else {
                        diagnostics.emit(.error(.invalidType, "dimension '\(dimension.scalar?.string ?? "?")' must be a positive integer",
                                                at: range(of: dimension)))
                        return nil
                    }
                    dimensions.append(value)
                }
            }
            types.append(Located(TypeSyntax(elementType: elementType, dimensions: dimensions),
                                 at: SourceRange(range(of: typeNode).start, length: elementType.count)))
        }
        return types
    }

    /// Scalars stay text; sequences become lists; a block of lines (`wordlist: |`) becomes a list
    /// of its non-empty lines.
    private func argumentValue(_ node: Node) -> ArgumentValue? {
        if let scalar = node.scalar {
            if scalar.style == .literal || scalar.style == .folded || scalar.string.contains("\n") {
                return .list(scalar.string.split(separator: "\n").map { String($0).trimmed }.filter { !$0.isEmpty })
            }
            return .scalar(scalar.string)
        }
        if let sequence = node.sequence {
            var items: [String] = []
            for item in sequence {
                guard let text = item.scalar?.string else {
                    diagnostics.emit(.error(.invalidArgument, "a list argument may only hold plain values", at: range(of: item)))
                    return nil
                }
                items.append(text)
            }
            return .list(items)
        }
        diagnostics.emit(.error(.invalidArgument, "an argument must be a value or a list", at: range(of: node)))
        return nil
    }

    private func checkKeys(_ mapping: Node.Mapping, allowed: [String], context: String) {
        for key in mapping.keys {
            guard let text = key.scalar?.string, !allowed.contains(text) else { continue }
            diagnostics.emit(.error(.syntax, "unknown key '\(text)' in \(context)", at: range(of: key),
                                    help: closest(text, in: allowed).map { "did you mean '\($0)'?" }
                                        ?? "expected one of: " + allowed.joined(separator: ", ")))
        }
    }

    private var start: SourceRange { SourceRange(SourceLocation(file: file.path, line: 1, column: 1)) }

    private func range(of node: Node) -> SourceRange {
        guard let mark = node.mark else { return start }
        let length = node.scalar.map { max(1, $0.string.count) } ?? 1
        // A quoted scalar's mark points at the quote; the text starts one later.
        let quoted = node.scalar.map { $0.style == .doubleQuoted || $0.style == .singleQuoted } ?? false
        return SourceRange(SourceLocation(file: file.path, line: mark.line, column: mark.column), length: quoted ? length + 2 : length)
    }

    private func report(_ error: YamlError) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let message = [context.map { "\($0.text)" }, problem].compactMap { $0 }.joined(separator: ": ")
            diagnostics.emit(.error(.yamlSyntax, "malformed YAML: \(message)",
                                    at: SourceRange(SourceLocation(file: file.path, line: mark.line, column: mark.column))))
        default:
            diagnostics.emit(.error(.yamlSyntax, "malformed YAML: \(error)", at: start))
        }
    }
}

extension String {
    var trimmed: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
