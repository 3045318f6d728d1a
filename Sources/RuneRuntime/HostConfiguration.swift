import RuneManifest

/// What the host gives a rune: files for its capabilities and the kinds it may use.
public struct HostConfiguration: Sendable {
    /// Files by capability kind (`RAW`, `SOUND`, ...), in the order given.
    public var files: [String: [InputFile]]
    /// The seed of every RAND capability.
    public var randomSeed: UInt64
    /// Capability kinds this host refuses to grant, whatever the rune asks.
    public var deniedKinds: Set<String>

    public init(files: [String: [InputFile]] = [:], randomSeed: UInt64 = 0, deniedKinds: Set<String> = []) {
        self.files = files
        self.randomSeed = randomSeed
        self.deniedKinds = deniedKinds
    }

    /// The kinds this host can provide, with the command-line flag that feeds each.
    public static let providedKinds: [(kind: String, flag: String)] = [
        ("RAW", "--raw FILE"),
        ("RAND", "--random SEED"),
        ("SOUND", "--sound FILE.wav"),
        ("IMAGE", "--image FILE"),
        ("ACCEL", "--accel FILE.csv"),
    ]

    /// Chooses the file for `capability`: one named after it (`--raw input=FILE`), else the
    /// unnamed file at its `source` position.
    func file(for capability: Manifest.Capability) -> InputFile? {
        let candidates = files[capability.kind] ?? []
        if let named = candidates.first(where: { $0.capability == capability.name }) { return named }
        let unnamed = candidates.filter { $0.capability == nil }
        let source = Int(capability.argument("source") ?? "0") ?? 0
        return source < unnamed.count ? unnamed[source] : nil
    }

    /// The sources for every capability the manifest declares, or why one cannot be granted.
    func makeSources(for manifest: Manifest) throws(RuneError) -> [any CapabilitySource] {
        var sources: [any CapabilitySource] = []
        for capability in manifest.capabilities {
            // `--raw NAME=FILE` replays recorded bytes into a capability of any kind.
            if capability.kind != "RAW", !deniedKinds.contains(capability.kind),
               let recorded = files["RAW"]?.first(where: { $0.capability == capability.name }) {
                sources.append(try SensorCapability(capability: capability, file: recorded, readAs: "RAW"))
                continue
            }
            guard let flag = HostConfiguration.providedKinds.first(where: { $0.kind == capability.kind })?.flag else {
                throw .capabilityUnavailable("the rune needs capability '\(capability.name)' of kind \(capability.kind), which this host does not provide (it provides \(HostConfiguration.providedKinds.map(\.kind).joined(separator: ", ")))")
            }
            if deniedKinds.contains(capability.kind) {
                throw .capabilityUnavailable("the rune needs capability '\(capability.name)' of kind \(capability.kind), which this host was told to deny")
            }
            switch capability.kind {
            case "RAND":
                sources.append(RandomCapability(capability: capability, seed: randomSeed))
            default:
                guard let file = file(for: capability) else {
                    throw .capabilityUnavailable("the rune needs capability '\(capability.name)' (\(capability.kind) \(capability.tensor)); pass it with \(flag.replacingOccurrences(of: "FILE", with: "\(capability.name)=FILE"))")
                }
                sources.append(try SensorCapability(capability: capability, file: file))
            }
        }
        return sources
    }
}
