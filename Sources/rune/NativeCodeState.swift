import RuneAOT

/// Whether the cache holds verified native code for a rune on this host: what `rune inspect`
/// reports.
struct NativeCodeState {
    let target = NativeTarget.host
    let path: String?
    let lookup: NativeCodeCache.Lookup?
    let bytes: Int?

    init(rune: [UInt8]) {
        guard let cache = CacheFolder.resolve(warn: false) else {
            path = nil
            lookup = nil
            bytes = nil
            return
        }
        let key = NativeCodeCacheKey(rune: rune)
        let path = cache.path(for: key)
        self.path = path
        // Verified, as `rune run` would before loading: a damaged entry is reported as such.
        let lookup = cache.load(key)
        self.lookup = lookup
        bytes = cache.entries().first { $0.path == path }?.bytes
    }

    var text: String {
        guard let path, let lookup else { return "no cache folder (set XDG_CACHE_HOME or HOME)" }
        switch lookup {
        case .hit: return "cached for \(target) at \(path) (\(bytes ?? 0) bytes)"
        case .miss: return "not cached for \(target) (it would be at \(path))"
        case .rejected(let reason): return "a damaged entry at \(path) (\(reason)); the next run rebuilds it"
        }
    }

    var json: [String: Any] {
        var object: [String: Any] = ["target": target.triple, "cpu": target.cpu]
        guard let path, let lookup else {
            object["cached"] = false
            return object
        }
        object["path"] = path
        switch lookup {
        case .hit:
            object["cached"] = true
            object["bytes"] = bytes ?? 0
        case .miss:
            object["cached"] = false
        case .rejected(let reason):
            object["cached"] = false
            object["damaged"] = reason
        }
        return object
    }
}
