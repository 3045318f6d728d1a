import ArgumentParser
import RuneAOT

/// `rune cache`: the native code the AOT engine keeps between runs.
struct Cache: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or clear the native-code cache of the AOT engine.",
        discussion: """
            The first 'rune run' of a rune on the aot engine translates it to native code for \
            this host and keeps it in $XDG_CACHE_HOME/rune (default ~/.cache/rune), keyed by the \
            rune's SHA-256, the engine and LLVM versions and the host CPU; later runs load it. \
            Entries are checked completely before use and rebuilt when damaged.
            """,
        subcommands: [Path.self, List.self, Clear.self])

    struct Path: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the cache folder.")
        func run() throws { print(try Cache.folder().folder) }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the cache entries and their sizes.")
        func run() throws {
            for entry in try Cache.folder().entries() { print("\(entry.bytes)\t\(entry.path)") }
        }
    }

    struct Clear: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove every cache entry.")
        func run() throws {
            let cache = try Cache.folder()
            do {
                let count = try cache.clear()
                print("removed \(count) \(count == 1 ? "entry" : "entries") from \(cache.entriesFolder)")
            } catch {
                StandardError().write("error: \(error)\n")
                throw ExitCode(1)
            }
        }
    }

    static func folder() throws -> NativeCodeCache {
        guard let cache = CacheFolder.resolve(warn: false) else {
            StandardError().write("error: no cache folder: set XDG_CACHE_HOME or HOME to an absolute path\n")
            throw ExitCode(1)
        }
        return cache
    }
}
