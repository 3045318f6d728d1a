import Foundation
import RuneAOT

/// The native-code cache `rune` uses: `$XDG_CACHE_HOME/rune`, else `~/.cache/rune`.
enum CacheFolder {
    /// The cache, or nil (with a warning on stderr when `warn`) when no folder can be named.
    static func resolve(warn: Bool) -> NativeCodeCache? {
        guard let folder = NativeCodeCache.defaultFolder(environment: ProcessInfo.processInfo.environment) else {
            if warn {
                StandardError().write("warning: no cache folder (neither XDG_CACHE_HOME nor HOME is an absolute path); native code is not cached\n")
            }
            return nil
        }
        return NativeCodeCache(folder: folder)
    }
}
