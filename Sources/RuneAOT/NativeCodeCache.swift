#if canImport(Glibc)
import Glibc
#endif
import RuneFiles
import RuneManifest

/// Where the AOT engine keeps native code it has made, so a rune is translated once per host.
///
/// Entries live in `FOLDER/aot/`, one file per key (`NativeCodeCacheKey`), in the format of
/// `NativeCodeCacheEntry`. They are written atomically (a unique temporary file in the same
/// folder, `fsync`, `rename`), so a reader sees a whole entry or none, and two processes that
/// translate the same rune at once both succeed (the last rename wins). Entries are read with
/// a bound and verified completely before their code is loaded; a corrupt one is rebuilt.
public struct NativeCodeCache: Sendable {
    /// The cache's folder (`~/.cache/rune`); entries are in its `aot` subfolder.
    public let folder: String

    static let entrySuffix = ".native"

    public init(folder: String) {
        self.folder = folder
    }

    /// `$XDG_CACHE_HOME/rune`, or `$HOME/.cache/rune`; nil when neither is set to an absolute
    /// path (the XDG rule: a relative `XDG_CACHE_HOME` is ignored).
    public static func defaultFolder(environment: [String: String]) -> String? {
        UserFolders.cache(environment: environment)
    }

    /// The folder holding the entries.
    public var entriesFolder: String { folder + "/aot" }

    /// Where the entry for `key` is (whether or not it exists).
    public func path(for key: NativeCodeCacheKey) -> String { entriesFolder + "/" + key.fileName }

    /// What reading an entry found.
    public enum Lookup {
        /// A verified shared object.
        case hit([UInt8])
        case miss
        /// An entry that is there but may not be loaded; the reason says why.
        case rejected(String)
    }

    /// The verified native code stored under `key`.
    public func load(_ key: NativeCodeCacheKey) -> Lookup {
        let path = path(for: key)
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, limit: NativeCodeCacheEntry.headerSize + RuneLimits.maxNativeCodeBytes,
                                         timeout: 10, regularFileOnly: true)
        } catch .missing {
            return .miss
        } catch {
            return .rejected("\(error)")
        }
        do {
            return .hit(Array(try NativeCodeCacheEntry.decode(bytes, key: key)))
        } catch {
            return .rejected(error.description)
        }
    }

    /// Stores `payload` under `key`, atomically. Throws a message when the folder cannot be
    /// made or written (the caller warns and runs on).
    public func store(_ payload: [UInt8], for key: NativeCodeCacheKey) throws(CacheFailure) {
        try makeFolder(folder)
        try makeFolder(entriesFolder)
        do {
            try OutputFile.replace(NativeCodeCacheEntry.encode(key: key, payload: payload), at: path(for: key),
                                   permissions: 0o600)
        } catch {
            throw CacheFailure(message: "\(error)")
        }
    }

    /// Why the cache could not be written or cleared.
    public struct CacheFailure: Error, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    private func makeFolder(_ path: String) throws(CacheFailure) {
        if mkdir(path, 0o700) == 0 || errno == EEXIST {
            var status = stat()
            guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
                throw CacheFailure(message: "'\(path)' is not a folder")
            }
            return
        }
        if errno == ENOENT {
            // A missing parent (~/.cache on a fresh account): make it, then try again.
            if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
                try makeFolder(String(path[..<slash]))
                if mkdir(path, 0o700) == 0 || errno == EEXIST { return }
            }
        }
        throw CacheFailure(message: "cannot create '\(path)': \(String(cString: strerror(errno)))")
    }

    /// One file in the cache.
    public struct Entry: Sendable {
        public let path: String
        public let bytes: Int
    }

    /// The entries (and leftover temporary files) in the cache, by name.
    public func entries() -> [Entry] {
        guard let directory = opendir(entriesFolder) else { return [] }
        defer { closedir(directory) }
        var result: [Entry] = []
        while let item = readdir(directory) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            guard Self.isOurs(name) else { continue }
            let path = entriesFolder + "/" + name
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            result.append(Entry(path: path, bytes: Int(status.st_size)))
        }
        return result.sorted { $0.path < $1.path }
    }

    /// Removes every entry and leftover temporary file, and the `aot` folder when that leaves
    /// it empty; files the cache did not make are left alone. Returns how many were removed.
    @discardableResult
    public func clear() throws(CacheFailure) -> Int {
        var removed = 0
        for entry in entries() {
            guard unlink(entry.path) == 0 else {
                if errno == ENOENT { continue }  // another process removed or replaced it
                throw CacheFailure(message: "cannot remove '\(entry.path)': \(String(cString: strerror(errno)))")
            }
            removed += 1
        }
        rmdir(entriesFolder)
        return removed
    }

    /// Entries are named by 64 hex digits and the suffix; temporaries as OutputFile makes them.
    static func isOurs(_ name: String) -> Bool {
        if OutputFile.isTemporaryName(name) { return name.contains(entrySuffix) }
        guard name.hasSuffix(entrySuffix) else { return false }
        let stem = name.utf8.dropLast(entrySuffix.utf8.count)
        return stem.count == 64 && stem.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}
