import Foundation
import RuneFiles
import RuneFrontEnd
import RuneManifest

/// Gathers what a rune stores for `FROM`: the Runefile as read and every file it names (model
/// paths, C blocks, resource paths), each under the name the Runefile writes; a resource given
/// with `runec --resource NAME=FILE` is stored under `$NAME`.
///
/// The checker has read every one of these already; they are read again here, bounded by the
/// same limits, so the rune stores exactly the bytes on disk at build time.
struct RuneSourcesCollector {
    let diagnostics: DiagnosticEngine

    func collect(_ syntax: RunefileSyntax) -> RuneSources? {
        let file = syntax.file
        let folder = (file.path as NSString).deletingLastPathComponent
        // Each file: its stored name (located for diagnostics), where it is read if not at that
        // name, and its limit.
        var names: [(Located<String>, String?, Int)] = []
        for stage in syntax.stages {
            switch stage.kind {
            case .model where !stage.reference.value.hasPrefix("$"):
                names.append((stage.reference, nil, RuneLimits.maxModelBytes))
            case .procBlock where ProcBlockCatalog.isUserBlock(stage.reference.value):
                names.append((stage.reference, nil, RuneLimits.maxBlockSourceBytes))
            default:
                break
            }
        }
        for resource in syntax.resources {
            if let path = resource.path {
                // A supplied file is not named by the Runefile: it is stored under the `$NAME`
                // the Runefile writes where it is used, and read from where it was given.
                let name = resource.isSupplied ? Located("$" + resource.name.value, at: path.range) : path
                names.append((name, resource.isSupplied ? path.value : nil,
                              resource.kind == .binary ? RuneLimits.maxModelBytes : RuneLimits.maxStringBytes))
            }
        }
        var files: [RuneSources.File] = []
        var total = file.text.utf8.count
        for (name, location, limit) in names where !files.contains(where: { $0.name == name.value }) {
            guard files.count < RuneLimits.maxSourceFiles else {
                diagnostics.emit(.error(.pipelineTooLarge, "the Runefile names more than \(RuneLimits.maxSourceFiles) files; a rune stores at most that many",
                                        at: name.range))
                return nil
            }
            let path = location ?? (name.value.hasPrefix("/") ? name.value
                : ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent(name.value))
            do {
                let content = try BoundedFile.read(path, limit: limit, regularFileOnly: true)
                total += content.count
                guard total <= RuneLimits.maxSourceBytes else {
                    diagnostics.emit(.error(.pipelineTooLarge, "the Runefile's files add up to more than \(BoundedFile.describe(bytes: RuneLimits.maxSourceBytes)), more than a rune may hold",
                                            at: name.range))
                    return nil
                }
                files.append(RuneSources.File(name: name.value, content: content))
            } catch {
                diagnostics.emit(.error(.missingFile, "cannot store '\(name.value)' in the rune: \(error)", at: name.range))
                return nil
            }
        }
        let runefileName = file.path.hasSuffix(".yml") || file.path.hasSuffix(".yaml") ? "Runefile.yml" : "Runefile"
        return RuneSources(runefileName: runefileName, runefile: Array(file.text.utf8), files: files)
    }
}
