import Foundation
import RuneAOT
import RuneFiles
import RuneFrontEnd
import RuneManifest

/// Builds a derived Runefile on its base rune: `FROM localhost:5000/hotg/microspeech:1`.
///
/// The base's stored Runefile (`rune.sources`) is parsed and its files written to a private
/// folder; then the derived Runefile's stages are laid over the base's:
/// - a stage with a new name is added;
/// - a stage with a base stage's name replaces it, and must be of the same kind. When it names
///   the same block, model or capability kind, the base's arguments it does not give are kept
///   (so `--labels=...` alone overrides the labels), and so are its declared types if it
///   declares none;
/// - `RUN` lines (and YAML `inputs`) add edges, to new stages or between the base's; an edge
///   the base already has is not added twice;
/// - resources of the same name replace the base's; the base's resources keep the files it was
///   built with, including those given with `runec --resource` (stored under `$NAME`).
/// The result is checked as one pipeline, so cycles, duplicates and type mismatches are
/// reported where the derived Runefile causes them; the base's file is among the sources so
/// notes can quote its stages.
struct BaseComposer {
    let diagnostics: DiagnosticEngine

    /// The merged syntax, the base's Runefile (for diagnostics to quote) and its lineage; nil
    /// after reporting why the base cannot be used.
    struct Composition {
        var syntax: RunefileSyntax
        var baseFile: SourceFile
        var lineage: RuneLineage
    }

    func compose(_ derived: RunefileSyntax, image: Located<String>, reference: ImageReference, base: BaseRune,
                 folder: String) -> Composition? {
        func fail(_ message: String, help: String? = nil) -> Composition? {
            diagnostics.emit(.error(.unknownBase, message, at: image.range, help: help))
            return nil
        }
        let sources: RuneSources
        do {
            guard let section = try AOTCompiler.customSection(named: RuneSources.sectionName, in: base.bytes) else {
                return fail("base rune '\(reference)' carries no Runefile (it was built with 'runec --no-sources', or by another compiler), so nothing can be built on it",
                            help: "build the base again with this runec, without --no-sources (it then stores the Runefile and its files in the rune), and push it")
            }
            if try AOTCompiler.customSection(named: RuneLineage.sectionName, in: base.bytes) != nil {
                return fail("base rune '\(reference)' is itself derived from another rune; runec builds on runes compiled from a whole Runefile",
                            help: "build on the base's own base, or publish the base compiled from a Runefile without a registry FROM")
            }
            sources = try RuneSources(decoding: section)
        } catch let error as ManifestError {
            return fail("base rune '\(reference)' has malformed stored sources: \(error)")
        } catch {
            return fail("base rune '\(reference)' (\(base.runeDigest)) is not a valid rune: \(error)")
        }
        guard sources.runefile.count <= RuneLimits.maxRunefileBytes,
              let text = String(validating: sources.runefile, as: UTF8.self) else {
            return fail("the Runefile stored in base rune '\(reference)' is not UTF-8 text of at most \(BoundedFile.describe(bytes: RuneLimits.maxRunefileBytes))")
        }
        let baseFile = SourceFile(path: "\(reference)/\(sources.runefileName)", text: text)
        let baseDiagnostics = DiagnosticEngine()
        var baseSyntax = Compiler.parse(baseFile, diagnostics: baseDiagnostics)
        if let first = baseDiagnostics.diagnostics.first(where: { $0.severity == .error }) {
            return fail("the Runefile stored in base rune '\(reference)' does not parse: \(first.message)")
        }
        guard let files = write(sources.files, to: folder) else {
            return fail("cannot unpack the files of base rune '\(reference)' into \(folder)")
        }
        // The base's file names become the unpacked files; a name the base uses but did not
        // store means the base rune is damaged.
        for index in baseSyntax.stages.indices {
            let stage = baseSyntax.stages[index]
            let namesFile = stage.kind == .model ? !stage.reference.value.hasPrefix("$")
                : stage.kind == .procBlock && ProcBlockCatalog.isUserBlock(stage.reference.value)
            guard namesFile else { continue }
            guard let path = files[stage.reference.value] else {
                return fail("base rune '\(reference)' does not store '\(stage.reference.value)', which its stage '\(stage.name.value)' names")
            }
            baseSyntax.stages[index].reference.value = path
        }
        for index in baseSyntax.resources.indices {
            let resource = baseSyntax.resources[index]
            // A file the base was given with `runec --resource` is stored under `$NAME`, and
            // wins over the Runefile's own value, as it did when the base was built.
            if let supplied = files["$" + resource.name.value] {
                baseSyntax.resources[index].path = Located(supplied, at: resource.name.range)
                baseSyntax.resources[index].inline = nil
                continue
            }
            guard let path = resource.path else { continue }
            guard let unpacked = files[path.value] else {
                return fail("base rune '\(reference)' does not store '\(path.value)', which its resource '\(resource.name.value)' names")
            }
            baseSyntax.resources[index].path?.value = unpacked
        }
        return Composition(syntax: merge(base: baseSyntax, derived: derived, image: image), baseFile: baseFile,
                           lineage: RuneLineage(reference: reference.description, manifestDigest: base.manifestDigest,
                                                    runeDigest: base.runeDigest))
    }

    /// Writes each stored file to its own numbered folder under its own last path component (so
    /// a model keeps its file name in the manifest); returns stored name -> written path.
    private func write(_ files: [RuneSources.File], to folder: String) -> [String: String]? {
        var paths: [String: String] = [:]
        for (index, file) in files.enumerated() {
            // The stored name is hostile: only a plain last component of it is used, never a path.
            var name = (file.name as NSString).lastPathComponent
            if name.isEmpty || name == "." || name == ".." || name.contains("/") || name.utf8.count > 200 { name = "file" }
            let directory = folder + "/\(index)"
            let path = directory + "/" + name
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                guard FileManager.default.createFile(atPath: path, contents: Data(file.content)) else { return nil }
            } catch {
                return nil
            }
            paths[file.name] = path
        }
        return paths
    }

    private func merge(base: RunefileSyntax, derived: RunefileSyntax, image: Located<String>) -> RunefileSyntax {
        var merged = derived
        merged.image = Located("runicos/base", at: image.range)
        merged.stages = base.stages
        var replaced = Set<String>()
        for stage in derived.stages {
            guard let index = merged.stages.firstIndex(where: { $0.name.value == stage.name.value }),
                  !replaced.contains(stage.name.value) else {
                // New, or defined twice in the derived Runefile (the checker reports that).
                merged.stages.append(stage)
                continue
            }
            let original = merged.stages[index]
            replaced.insert(stage.name.value)
            guard original.kind == stage.kind else {
                diagnostics.emit(.error(.invalidOverride,
                                        "'\(stage.name.value)' is a \(stage.kind.rawValue) here but a \(original.kind.rawValue) in the base rune, so it cannot replace it",
                                        at: stage.name.range,
                                        notes: [.init("the base's '\(original.name.value)' is declared here", at: original.name.range)],
                                        help: "replace it with a \(original.kind.rawValue), or give this stage another name"))
                merged.unparsedStageNames.insert(stage.name.value)
                continue
            }
            merged.stages[index] = override(original, with: stage)
        }
        var edges = base.edges
        for edge in derived.edges where !edges.contains(where: {
            $0.producer.value == edge.producer.value && $0.consumer.value == edge.consumer.value && $0.outputIndex == edge.outputIndex
        }) {
            edges.append(edge)
        }
        merged.edges = edges
        merged.unparsedStageNames.formUnion(base.unparsedStageNames)
        let derivedResources = Set(derived.resources.map(\.name.value))
        merged.resources = base.resources.filter { !derivedResources.contains($0.name.value) } + derived.resources
        return merged
    }

    /// The derived stage, keeping what it leaves out of a base stage of the same reference.
    private func override(_ original: StageSyntax, with stage: StageSyntax) -> StageSyntax {
        guard sameReference(original, stage) else { return stage }
        var result = stage
        let given = Set(stage.arguments.map { stage.argumentName($0.key.value) })
        result.arguments = original.arguments.filter { !given.contains(original.argumentName($0.key.value)) } + stage.arguments
        if stage.inputTypes == nil, stage.outputTypes == nil {
            result.inputTypes = original.inputTypes
            result.outputTypes = original.outputTypes
        }
        return result
    }

    private func sameReference(_ a: StageSyntax, _ b: StageSyntax) -> Bool {
        switch a.kind {
        case .procBlock:
            if let first = ProcBlockCatalog.block(named: a.reference.value), let second = ProcBlockCatalog.block(named: b.reference.value) {
                return first.name == second.name
            }
            return false
        case .capability, .output:
            return a.reference.value.uppercased() == b.reference.value.uppercased()
        case .model:
            return false
        }
    }
}
