import Foundation

/// The targets file, `$XDG_CONFIG_HOME/hammer/targets.json`: named targets and their addresses.
struct TargetStore {
    struct Entry: Codable, Equatable {
        var name: String
        var url: String
    }

    private struct File: Codable {
        var targets: [Entry]
    }

    var entries: [Entry] = []
    let url: URL

    init(url: URL = HammerFolders.configuration.appendingPathComponent("targets.json")) {
        self.url = url
    }

    /// The file's entries; none when there is no file yet.
    static func load() throws(HammerError) -> TargetStore {
        var store = TargetStore()
        guard FileManager.default.fileExists(atPath: store.url.path) else { return store }
        do {
            store.entries = try JSONDecoder().decode(File.self, from: Data(contentsOf: store.url)).targets
        } catch {
            throw HammerError("cannot read \(store.url.path): \(error.localizedDescription)")
        }
        return store
    }

    /// Writes the file whole, through a temporary file and a rename, so a crash never leaves it
    /// half written.
    func save() throws(HammerError) {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(File(targets: entries)).write(to: url, options: .atomic)
        } catch {
            throw HammerError("cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}
