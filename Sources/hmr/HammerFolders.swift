import Foundation

/// Where Hammer keeps its files, after the XDG base directory convention.
enum HammerFolders {
    /// `$XDG_CONFIG_HOME/hammer` (default `~/.config/hammer`): the targets file.
    static var configuration: URL { base("XDG_CONFIG_HOME", default: ".config").appendingPathComponent("hammer") }
    /// `$XDG_CACHE_HOME/hammer` (default `~/.cache/hammer`): prepared images and the runes cast.
    static var cache: URL { base("XDG_CACHE_HOME", default: ".cache").appendingPathComponent("hammer") }

    private static func base(_ variable: String, default folder: String) -> URL {
        // XDG: a relative value is invalid and ignored.
        if let value = ProcessInfo.processInfo.environment[variable], value.hasPrefix("/") {
            return URL(fileURLWithPath: value)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(folder)
    }
}
