/// The version of the translation: bump it whenever the native code the engine makes for a
/// given rune changes (translator, optimisation pipeline, context layout, linking), so cache
/// entries made by older engines are never loaded.
public enum AOTEngineVersion {
    public static let current = 4
}
