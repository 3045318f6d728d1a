import RuneManifest
import RuneSensors

/// What the host gives a rune: files for its capabilities, the kinds it may use, and the limits
/// of a run.
public struct HostConfiguration: Sendable {
    /// Files by capability kind (`RAW`, `SOUND`, ...), in the order given.
    public var files: [String: [InputFile]]
    /// The seed of every RAND capability.
    public var randomSeed: UInt64
    /// Capability kinds this host refuses to grant, whatever the rune asks.
    public var deniedKinds: Set<String>
    /// Time, memory, output and log limits of the run.
    public var limits: RunLimits

    public init(files: [String: [InputFile]] = [:], randomSeed: UInt64 = 0, deniedKinds: Set<String> = [],
                limits: RunLimits = RunLimits()) {
        self.files = files
        self.randomSeed = randomSeed
        self.deniedKinds = deniedKinds
        self.limits = limits
    }

    /// The kinds this host can provide, with the command-line flag that feeds each.
    public static let providedKinds: [(kind: String, flag: String)] = [
        ("RAW", "--raw FILE"),
        ("RAND", "--random SEED"),
        ("SOUND", "--sound FILE.wav"),
        ("IMAGE", "--image FILE"),
        ("ACCEL", "--accel FILE.csv"),
    ]

    /// Other spellings of the provided kinds (as the original Rune wrote them).
    public static let kindAliases = ["RANDOM": "RAND", "AUDIO": "SOUND", "ACCELEROMETER": "ACCEL"]

    /// The output kinds this host provides.
    public static let providedOutputKinds = ["SERIAL"]

    /// The flag that passes files of `kind` (`--raw`).
    static func flagName(_ kind: String) -> String { "--" + kind.lowercased() }

    /// `input (RAW I32[4]), audio (SOUND I16[16000])`: what a rune declares, for error messages.
    static func declared(_ manifest: Manifest) -> String {
        manifest.capabilities.isEmpty ? "no capabilities"
            : manifest.capabilities.map { "'\($0.name)' (\($0.kind) \($0.tensor))" }.joined(separator: ", ")
    }

    /// Checks, before anything is allocated or run, that this host can honour what the manifest
    /// declares: known output kinds, and capability arguments (`source`, `hz`, `width`,
    /// `pixel_format`, ...) that are well formed and within ``RuneLimits``.
    public static func checkManifest(_ manifest: Manifest) throws(RuneError) {
        for output in manifest.outputs where !providedOutputKinds.contains(output.kind) {
            throw .capabilityUnavailable("the rune declares output '\(output.name)' of kind \(output.kind), which this host does not provide (it provides \(providedOutputKinds.joined(separator: ", ")))")
        }
        for capability in manifest.capabilities {
            let arguments = Dictionary(capability.arguments.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            do {
                _ = try CapabilityInput.settings(kind: capability.kind, arguments: arguments, tensor: capability.tensor)
            } catch {
                throw .abi("capability '\(capability.name)' (\(capability.kind) \(capability.tensor)): \(error.message)")
            }
        }
    }

    /// The `source` argument of `capability`: which unnamed file of its kind it reads.
    static func sourceIndex(_ capability: Manifest.Capability) -> Int {
        capability.argument("source").flatMap { Int($0) } ?? 0
    }

    /// The sources for every capability the manifest declares, or why one cannot be granted.
    ///
    /// Each capability gets the files named after it (`--raw input=FILE`, or `--raw NAME=FILE`
    /// replaying into a capability of another kind), else the unnamed file of its kind at its
    /// `source` position. Two files for one capability, and a file no capability reads, are
    /// errors: a typo in a name must not silently feed the wrong input.
    func makeSources(for manifest: Manifest) throws(RuneError) -> [any CapabilitySource] {
        try HostConfiguration.checkManifest(manifest)
        var sources: [any CapabilitySource] = []
        var usedNamed = Set<String>()        // "KIND name"
        var usedUnnamed = Set<String>()      // "KIND index"
        for capability in manifest.capabilities {
            let ownNamed = (files[capability.kind] ?? []).filter { $0.capability == capability.name }
            let replayed = capability.kind == "RAW" ? [] : (files["RAW"] ?? []).filter { $0.capability == capability.name }
            let named = ownNamed.map { (capability.kind, $0) } + replayed.map { ("RAW", $0) }
            guard named.count <= 1 else {
                let flags = named.map { "\(HostConfiguration.flagName($0.0)) \(capability.name)=\($0.1.path)" }
                throw .input("capability '\(capability.name)' is given \(named.count) files (\(flags.joined(separator: ", "))); give it one")
            }
            named.forEach { usedNamed.insert("\($0.0) \(capability.name)") }
            if deniedKinds.contains(capability.kind) {
                throw .capabilityUnavailable("the rune needs capability '\(capability.name)' of kind \(capability.kind), which this host was told to deny")
            }
            // `--raw NAME=FILE` replays recorded bytes into a capability of any kind.
            if let (_, recorded) = named.first, !replayed.isEmpty {
                sources.append(try SensorCapability(capability: capability, file: recorded, readAs: "RAW", timeout: limits.timeoutSeconds))
                continue
            }
            guard let flag = HostConfiguration.providedKinds.first(where: { $0.kind == capability.kind })?.flag else {
                throw .capabilityUnavailable("the rune needs capability '\(capability.name)' of kind \(capability.kind), which this host does not provide (it provides \(HostConfiguration.providedKinds.map(\.kind).joined(separator: ", ")))")
            }
            switch capability.kind {
            case "RAND":
                sources.append(RandomCapability(capability: capability, seed: randomSeed))
            default:
                var file = named.first?.1
                if file == nil {
                    let unnamed = (files[capability.kind] ?? []).filter { $0.capability == nil }
                    let source = HostConfiguration.sourceIndex(capability)
                    if source < unnamed.count {
                        file = unnamed[source]
                        usedUnnamed.insert("\(capability.kind) \(source)")
                    }
                }
                guard let file else {
                    throw .capabilityUnavailable("the rune needs capability '\(capability.name)' (\(capability.kind) \(capability.tensor)); pass it with \(flag.replacingOccurrences(of: "FILE", with: "\(capability.name)=FILE"))")
                }
                sources.append(try SensorCapability(capability: capability, file: file, timeout: limits.timeoutSeconds))
            }
        }
        // Files no capability reads.
        for (kind, list) in files.sorted(by: { $0.key < $1.key }) {
            var unnamedIndex = 0
            for file in list {
                if let name = file.capability {
                    if !usedNamed.contains("\(kind) \(name)") {
                        throw .input("\(HostConfiguration.flagName(kind)) \(name)=\(file.path): the rune has no \(kind == "RAW" ? "" : "\(kind) ")capability named '\(name)'; it declares \(HostConfiguration.declared(manifest))")
                    }
                } else {
                    defer { unnamedIndex += 1 }
                    if !usedUnnamed.contains("\(kind) \(unnamedIndex)") {
                        let count = manifest.capabilities.filter { $0.kind == kind }.count
                        throw .input("\(HostConfiguration.flagName(kind)) \(file.path): the rune has \(count == 0 ? "no" : "no other") \(kind) capability to read it; it declares \(HostConfiguration.declared(manifest))")
                    }
                }
            }
        }
        return sources
    }
}
