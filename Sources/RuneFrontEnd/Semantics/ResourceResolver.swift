import Foundation
import RuneFiles
import RuneManifest

/// Replaces `$NAME` in `model:` and in stage arguments by the Runefile.yml resource of that
/// name, before the pipeline is checked.
///
/// A model takes a `binary` resource's `path`, which is then read like any model path (relative
/// to the Runefile's folder). An argument takes a `string` resource's `inline` value or the text
/// of its `path`; text of several lines becomes a list, as a YAML block (`wordlist: |`) does.
/// The replaced value keeps the location of the `$NAME`, so later diagnostics point at the use.
///
/// runec compiles models and arguments into the rune, so every resource it uses must have its
/// value at compile time: one with neither `path` nor `inline`, and not given with
/// `runec --resource NAME=FILE` (``ResourceSyntax/isSupplied``), is reported where it is used.
struct ResourceResolver {
    let diagnostics: DiagnosticEngine

    func resolve(_ syntax: RunefileSyntax) -> RunefileSyntax {
        var resolved = syntax
        var table: [String: ResourceSyntax] = [:]
        for resource in syntax.resources {
            if let first = table[resource.name.value] {
                diagnostics.emit(.error(.unknownResource, "resource '\(resource.name.value)' is declared twice",
                                        at: resource.name.range, notes: [.init("first declared here", at: first.name.range)]))
                continue
            }
            table[resource.name.value] = resource
        }
        var unresolved = Set<Int>()
        for index in resolved.stages.indices {
            let stage = resolved.stages[index]
            if stage.kind == .model, let name = ResourceResolver.reference(stage.reference.value) {
                if let path = modelPath(name, at: stage.reference.range, table: table, syntax: syntax) {
                    resolved.stages[index].reference = Located(path, at: stage.reference.range)
                } else {
                    // Reported; checked no further, and references to it are not reported again.
                    unresolved.insert(index)
                    resolved.unparsedStageNames.insert(stage.name.value)
                }
            }
            for (argumentIndex, argument) in stage.arguments.enumerated() {
                guard case .scalar(let text) = argument.value.value, let name = ResourceResolver.reference(text) else { continue }
                guard let value = argumentValue(name, at: argument.value.range, table: table, syntax: syntax) else { continue }
                resolved.stages[index].arguments[argumentIndex].value = Located(value, at: argument.value.range)
            }
        }
        resolved.stages = resolved.stages.enumerated().filter { !unresolved.contains($0.offset) }.map(\.element)
        return resolved
    }

    /// `$LABELS` -> `LABELS`; nil for anything else.
    static func reference(_ text: String) -> String? {
        guard text.hasPrefix("$"), text.count > 1, isIdentifier(String(text.dropFirst())) else { return nil }
        return String(text.dropFirst())
    }

    private func lookUp(_ name: String, at range: SourceRange, table: [String: ResourceSyntax],
                        syntax: RunefileSyntax) -> ResourceSyntax? {
        if let resource = table[name] { return resource }
        let names = table.keys.sorted()
        diagnostics.emit(.error(.unknownResource, "no definition for \"$\(name)\"", at: range,
                                help: closest(name, in: names).map { "did you mean '$\($0)'?" }
                                    ?? (syntax.format == .yaml
                                        ? "declare it under a top-level 'resources:' with 'type' and a 'path' or 'inline' value"
                                        : "resources are declared in a Runefile.yml's top-level 'resources:'")))
        return nil
    }

    private func modelPath(_ name: String, at range: SourceRange, table: [String: ResourceSyntax],
                           syntax: RunefileSyntax) -> String? {
        guard let resource = lookUp(name, at: range, table: table, syntax: syntax) else { return nil }
        guard let path = resource.path else {
            diagnostics.emit(.error(.unknownResource, "resource '$\(name)' has no 'path', so there is no model to compile",
                                    at: range, notes: [.init("declared here", at: resource.name.range)],
                                    help: "runec compiles models into the rune, so the model is needed now: give the resource 'path: ./model.tflite', or build with 'runec --resource \(name)=FILE'"))
            return nil
        }
        return path.value
    }

    private func argumentValue(_ name: String, at range: SourceRange, table: [String: ResourceSyntax],
                               syntax: RunefileSyntax) -> ArgumentValue? {
        guard let resource = lookUp(name, at: range, table: table, syntax: syntax) else { return nil }
        guard resource.kind == .string else {
            diagnostics.emit(.error(.unknownResource, "resource '$\(name)' is binary; an argument takes a string resource",
                                    at: range, notes: [.init("declared here", at: resource.name.range)],
                                    help: "declare it with 'type: string'"))
            return nil
        }
        let text: String
        if let inline = resource.inline {
            text = inline.value
        } else if let path = resource.path {
            let directory = (syntax.file.path as NSString).deletingLastPathComponent
            let full = path.value.hasPrefix("/") ? path.value
                : ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent(path.value)
            do {
                let bytes = try BoundedFile.read(full, limit: RuneLimits.maxStringBytes, regularFileOnly: true)
                guard let decoded = String(validating: bytes, as: UTF8.self) else {
                    diagnostics.emit(.error(.unknownResource, "resource '$\(name)' is not UTF-8 text", at: path.range))
                    return nil
                }
                text = decoded
            } catch {
                diagnostics.emit(.error(error == .missing ? .missingFile : .unknownResource,
                                        "cannot read resource '$\(name)' from '\(path.value)': \(error)", at: path.range,
                                        help: "paths are relative to the Runefile's folder; a string resource holds at most \(BoundedFile.describe(bytes: RuneLimits.maxStringBytes))"))
                return nil
            }
        } else {
            diagnostics.emit(.error(.unknownResource, "resource '$\(name)' has no value", at: range,
                                    notes: [.init("declared here", at: resource.name.range)],
                                    help: "runec compiles arguments into the rune, so the value is needed now: give the resource a 'path' or an 'inline' value, or build with 'runec --resource \(name)=FILE'"))
            return nil
        }
        if text.contains("\n") {
            return .list(text.split(separator: "\n").map { String($0).trimmed }.filter { !$0.isEmpty })
        }
        return .scalar(text)
    }
}
