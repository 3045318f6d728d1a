import Foundation
import RuneFiles
import RuneFrontEnd
import RuneManifest

/// Applies `runec --resource NAME=FILE`: gives a Runefile.yml resource its value from a file
/// named on the command line.
///
/// The original Rune read a resource without `path` or `inline` when the rune ran. runec compiles
/// models into C and arguments into constants, and plans every arena then, so a resource's value
/// must be known when the rune is built: it is supplied to the compiler instead. A supplied file
/// also replaces a `path` or `inline` value the Runefile gives, so one Runefile can be built with
/// another model without being edited.
///
/// Applied after `FROM` composition, so a derived build can supply its base's resources too.
/// The file is read here once, bounded like the value it stands for (a model or a string), so a
/// mistake is reported as the command line's, before the checker reads it as the Runefile's.
struct ResourceSupplier {
    let diagnostics: DiagnosticEngine

    /// `supplied` maps NAME to FILE; a relative FILE is relative to the current folder, as any
    /// path on a command line. Reports unknown names and unreadable files; returns the syntax
    /// with each supplied resource's `path` set to its file.
    func supply(_ supplied: [String: String], to syntax: RunefileSyntax) -> RunefileSyntax {
        var result = syntax
        for name in supplied.keys.sorted() {
            guard let file = supplied[name] else { continue }
            guard let index = result.resources.firstIndex(where: { $0.name.value == name }) else {
                let declared = result.resources.map { "'\($0.name.value)'" }
                diagnostics.emit(.error(.unknownResource, "--resource \(name)=\(file): the Runefile declares no resource '\(name)'", at: nil,
                                        help: declared.isEmpty
                                            ? "only a Runefile.yml's top-level 'resources:' entries can be supplied, and this Runefile declares none"
                                            : "it declares \(declared.joined(separator: ", "))"))
                continue
            }
            let resource = result.resources[index]
            let path = file.hasPrefix("/") ? file
                : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(file)
            let limit = resource.kind == .binary ? RuneLimits.maxModelBytes : RuneLimits.maxStringBytes
            do {
                let bytes = try BoundedFile.read(path, limit: limit, regularFileOnly: true)
                if resource.kind == .string, String(validating: bytes, as: UTF8.self) == nil {
                    diagnostics.emit(.error(.unknownResource, "--resource \(name)=\(file): a string resource is UTF-8 text, and this file is not", at: nil,
                                            notes: [.init("'\(name)' is declared here", at: resource.name.range)]))
                    continue
                }
            } catch {
                diagnostics.emit(.error(error == .missing ? .missingFile : .unknownResource,
                                        "--resource \(name)=\(file): cannot read '\(file)': \(error)", at: nil,
                                        notes: [.init("'\(name)' is declared here", at: resource.name.range)],
                                        help: "a \(resource.kind.rawValue) resource is a file of at most \(BoundedFile.describe(bytes: limit))"))
                continue
            }
            // Uses of `$NAME` keep their own locations; the value's is the declaration's.
            result.resources[index].path = Located(path, at: resource.name.range)
            result.resources[index].inline = nil
            result.resources[index].isSupplied = true
        }
        return result
    }
}
