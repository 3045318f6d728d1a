/// The per-user folders the tools keep state in, after the XDG base directory rules: only
/// absolute paths count, so a relative `XDG_CACHE_HOME` cannot scatter files into the working
/// folder.
public enum UserFolders {
    /// `$XDG_CACHE_HOME/rune`, else `$HOME/.cache/rune`; nil when neither is absolute. The native
    /// code cache and the registry pull cache live under it.
    public static func cache(environment: [String: String]) -> String? {
        folder(environment, variable: "XDG_CACHE_HOME", fallback: ".cache")
    }

    /// `$XDG_CONFIG_HOME/rune`, else `$HOME/.config/rune`; nil when neither is absolute. Registry
    /// logins are stored there.
    public static func config(environment: [String: String]) -> String? {
        folder(environment, variable: "XDG_CONFIG_HOME", fallback: ".config")
    }

    private static func folder(_ environment: [String: String], variable: String, fallback: String) -> String? {
        if let base = environment[variable], base.hasPrefix("/") { return base + "/rune" }
        if let home = environment["HOME"], home.hasPrefix("/") { return home + "/\(fallback)/rune" }
        return nil
    }
}
