/// The limits that keep hostile input from asking for unbounded work, defined once and shared by
/// `runec`, the host runtime and every decoder.
///
/// Every size or index that comes from a file, a manifest, a model or the command line is checked
/// against these before anything is allocated or looped over. `runec` refuses at compile time what
/// a host would refuse at load time, so a rune that compiles is a rune that hosts accept.
///
/// The README's "Limits" section lists each one and the flag that changes it, where there is one.
public enum RuneLimits {
    // MARK: Manifest and pipeline shape

    /// Capabilities, outputs, models or arguments in one manifest list.
    public static let maxManifestEntries = 1024
    /// Capabilities one rune may declare.
    public static let maxCapabilities = maxManifestEntries
    /// Outputs one rune may declare.
    public static let maxOutputs = maxManifestEntries
    /// Models one rune may contain.
    public static let maxModels = maxManifestEntries
    /// Stages (capabilities, blocks, models, outputs) in one Runefile.
    public static let maxStages = 65_536
    /// Bytes in a stage, capability or output name.
    public static let maxNameBytes = 256
    /// Bytes in one manifest string: an argument value such as a label list.
    public static let maxStringBytes = 1 << 16
    /// Dimensions of a tensor.
    public static let maxRank = 8
    /// Elements in one tensor.
    public static let maxTensorElements = 1 << 26
    /// Bytes in one tensor: what a capability reads or a stage passes on.
    public static let maxTensorBytes = 1 << 26

    // MARK: Sensors

    /// Sample rates a SOUND capability may ask for and a WAV file may carry, in Hz.
    public static let sampleRates = 1_000...384_000
    /// Pixels (width × height) an IMAGE capability may ask for and a decoded image may have.
    public static let maxImagePixels = 1 << 24
    /// Width or height of an image, in pixels.
    public static let maxImageSide = 1 << 15

    // MARK: Files

    /// Bytes `runec` reads from a Runefile or Runefile.yml.
    public static let maxRunefileBytes = 4 << 20
    /// Bytes `runec` reads from a user block's C file.
    public static let maxBlockSourceBytes = 4 << 20
    /// Bytes `runec` reads from a model file.
    public static let maxModelBytes = 256 << 20
    /// Bytes a host reads from a `.rune`.
    public static let maxRuneBytes = 256 << 20
    /// Bytes a host reads from a sensor file (WAV, PNG, BMP, JPEG, CSV).
    public static let maxSensorFileBytes = 256 << 20
    /// Bytes of native code (a shared object) the AOT engine reads from one cache entry, or
    /// makes for one rune; a larger entry is rebuilt, and a larger translation is not cached.
    public static let maxNativeCodeBytes = 256 << 20

    // MARK: Sources stored in a rune (what `FROM` builds on)

    /// Files (the Runefile, models, blocks, resources) in a rune's `rune.sources` section.
    public static let maxSourceFiles = 256
    /// Bytes of the name a stored file is known by (the path as the Runefile writes it).
    public static let maxSourceNameBytes = 4096
    /// Bytes of one stored file, and of all of them together.
    public static let maxSourceBytes = maxRuneBytes

    // MARK: Your own blocks in C

    /// Preprocessor tokens clang may lex for one user block, counting every token of every macro
    /// expansion (macro arguments included): a chain of `#define`s that doubles at each level is
    /// refused instead of expanded. A block of 4 MB (`maxBlockSourceBytes`) has at most about this
    /// many tokens before expansion; real blocks use a few thousand.
    public static let maxBlockTokens = 1 << 22
    /// Seconds clang's front end may spend on one user block (checked as it lexes).
    public static let maxBlockFrontEndSeconds: Double = 60
    /// Nesting of `(`, `[` and `{` in a user block (clang's `-fbracket-depth`, at its default).
    public static let maxBlockBracketDepth = 256

    // MARK: Models

    /// Quantization scales a model may use: wide enough for any converter's output, narrow
    /// enough that a product of two scales divided by a third (every effective multiplier the
    /// fixed-point kernels are set up with) stays finite and normal in `Float`.
    public static let quantizationScales: ClosedRange<Float> = 0x1p-40...0x1p40

    // MARK: YAML

    /// Nodes a Runefile.yml may have once its aliases are expanded.
    public static let maxYAMLNodes = 100_000
    /// Bytes of scalar text a Runefile.yml may have once its aliases are expanded.
    public static let maxYAMLScalarBytes = 8 << 20
    /// Sequences and mappings one inside another in a Runefile.yml (a Runefile.yml needs 5).
    public static let maxYAMLDepth = 64

    // MARK: Registries

    /// Bytes of an image reference (`HOST/PATH:TAG@sha256:…`) as written: in a command, a
    /// Runefile's `FROM`, and a rune's `rune.lineage`.
    public static let maxImageReferenceBytes = 512
    /// Bytes of its name (`HOST/PATH`), Docker's limit.
    public static let maxImageNameBytes = 255
    /// Bytes of an OCI manifest a registry may send (the distribution spec's own limit).
    public static let maxRegistryManifestBytes = 4 << 20
    /// Bytes of a rune's config blob (a small JSON object).
    public static let maxRegistryConfigBytes = 1 << 20
    /// Bytes of any other registry response read: an error body, a token, a challenge header.
    public static let maxRegistryResponseBytes = 1 << 20
    /// Redirects followed for one registry request (blob downloads redirect to storage).
    public static let maxRegistryRedirects = 5
    /// Seconds one registry request may take, connection and transfer included.
    public static let registryRequestSeconds: Int64 = 300
    /// Bytes of one stored registry login (`rune login`'s credentials file).
    public static let maxCredentialsFileBytes = 1 << 20

    // MARK: Running a rune (each has a `rune run` flag)

    /// Linear memory a rune may have, in bytes (`--max-memory`).
    public static let defaultMaxMemoryBytes = 256 << 20
    /// Bytes a rune may hand its outputs in one call (`--max-output-bytes`).
    public static let defaultMaxOutputBytesPerCall = 16 << 20
    /// Log lines a rune may write in one call before the rest are dropped (`--max-log-lines`).
    public static let defaultMaxLogLinesPerCall = 100
    /// Bytes of one log message that are shown; the rest is cut.
    public static let maxLogMessageBytes = 4096
    /// Seconds one call of `_manifest()` or `_call()` may run (`--timeout`).
    public static let defaultTimeoutSeconds: Double = 30
    /// Elements a rune's function table may grow to (runes need a few hundred; `table.grow` past
    /// it fails, as the spec allows, instead of allocating gigabytes).
    public static let maxTableElements = 1 << 20
}
