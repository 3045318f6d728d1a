import RuneAOT
import RuneManifest
import RuneSensors

/// What the host gives a rune: files for its capabilities, the kinds it may use, and the limits
/// of a run.
public struct HostConfiguration: Sendable {
    /// Files by capability kind (`.raw`, `.sound`, ...), in the order given.
    public var files: [CapabilityKind: [InputFile]]
    /// The seed of every RAND capability.
    public var randomSeed: UInt64
    /// Capability kinds this host refuses to grant, whatever the rune asks.
    public var deniedKinds: Set<CapabilityKind>
    /// Time, memory, output and log limits of the run.
    public var limits: RunLimits
    /// Where the AOT engine keeps native code between runs; nil translates every time.
    public var nativeCodeCache: NativeCodeCache?

    public init(files: [CapabilityKind: [InputFile]] = [:], randomSeed: UInt64 = 0, deniedKinds: Set<CapabilityKind> = [],
                limits: RunLimits = RunLimits(), nativeCodeCache: NativeCodeCache? = nil) {
        self.files = files
        self.randomSeed = randomSeed
        self.deniedKinds = deniedKinds
        self.limits = limits
        self.nativeCodeCache = nativeCodeCache
    }

    /// The command-line flag that feeds capabilities of `kind` (this host provides every kind).
    public static func flag(for kind: CapabilityKind) -> String {
        switch kind {
        case .raw: "--raw FILE"
        case .rand: "--random SEED"
        case .sound: "--sound FILE.wav"
        case .image: "--image FILE"
        case .accel: "--accel FILE.csv"
        }
    }

    /// The flag that passes files of `kind` (`--raw`).
    static func flagName(_ kind: CapabilityKind) -> String { "--" + kind.name.lowercased() }

    /// `input (RAW I32[4]), audio (SOUND I16[16000])`: what a rune declares, for error messages.
    static func declared(_ manifest: Manifest) -> String {
        manifest.capabilities.isEmpty ? "no capabilities"
            : manifest.capabilities.map { "'\($0.name)' (\($0.kind) \($0.tensor))" }.joined(separator: ", ")
    }

    /// Checks, before anything is allocated or run, that this host can honour what the manifest
    /// declares: known output kinds, and capability arguments (`source`, `hz`, `width`,
    /// `pixel_format`, ...) that are well formed and within ``RuneLimits``.
    public static func checkManifest(_ manifest: Manifest) throws(RuneError) {
        for output in manifest.outputs {
            switch output.kindID {
            case .serial:
                continue
            case nil:
                throw .capabilityUnavailable("the rune declares output '\(output.name)' of kind \(output.kind), which this host does not provide (it provides \(OutputKind.allCases.map(\.name).joined(separator: ", ")))")
            }
        }
        for capability in manifest.capabilities {
            let arguments = Dictionary(capability.arguments.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
            do {
                _ = try CapabilityInput.settings(kind: capability.kindID, arguments: arguments, tensor: capability.tensor)
            } catch {
                throw .abi("capability '\(capability.name)' (\(capability.kind) \(capability.tensor)): \(error.message)")
            }
        }
    }

    /// The `source` argument of `capability`: which unnamed file of its kind it reads.
    static func sourceIndex(_ capability: Manifest.Capability) -> Int {
        capability.argument(.source).flatMap { Int($0) } ?? 0
    }

    /// The sources for every capability the manifest declares, or why one cannot be granted.
    ///
    /// Each capability gets the files named after it (`--raw input=FILE`, or `--raw NAME=FILE`
    /// replaying into a capability of another kind), else the unnamed file of its kind at its
    /// `source` position; a single unnamed `--raw` file feeds every RAW capability. Two files for one capability, and a file no capability reads, are
    /// errors: a typo in a name must not silently feed the wrong input.
    func makeSources(for manifest: Manifest) throws(RuneError) -> [any CapabilitySource] {
        try HostConfiguration.checkManifest(manifest)
        var sources: [any CapabilitySource] = []
        var usedNamed = Set<String>()        // "KIND name"
        var usedUnnamed = Set<String>()      // "KIND index"
        for capability in manifest.capabilities {
            let kind = capability.kindID
            let ownNamed = kind.map { kind in (files[kind] ?? []).filter { $0.capability == capability.name }.map { (kind, $0) } } ?? []
            let replayed = kind == .raw ? [] : (files[.raw] ?? []).filter { $0.capability == capability.name }
            let named = ownNamed + replayed.map { (CapabilityKind.raw, $0) }
            guard named.count <= 1 else {
                let flags = named.map { "\(HostConfiguration.flagName($0.0)) \(capability.name)=\($0.1.path)" }
                throw .input("capability '\(capability.name)' is given \(named.count) files (\(flags.joined(separator: ", "))); give it one")
            }
            named.forEach { usedNamed.insert("\($0.0) \(capability.name)") }
            if let kind, deniedKinds.contains(kind) {
                throw .capabilityUnavailable("the rune needs capability '\(capability.name)' of kind \(capability.kind), which this host was told to deny")
            }
            // `--raw NAME=FILE` replays recorded bytes into a capability of any kind.
            if let (_, recorded) = named.first, !replayed.isEmpty {
                sources.append(try SensorCapability(capability: capability, file: recorded, readAs: .raw, timeout: limits.timeoutSeconds))
                continue
            }
            guard let kind else {
                throw .capabilityUnavailable("the rune needs capability '\(capability.name)' of kind \(capability.kind), which this host does not provide (it provides \(CapabilityKind.allCases.map(\.name).joined(separator: ", ")))")
            }
            switch kind {
            case .rand:
                sources.append(RandomCapability(capability: capability, seed: randomSeed))
            case .raw, .sound, .image, .accel:
                var file = named.first?.1
                if file == nil {
                    let unnamed = (files[kind] ?? []).filter { $0.capability == nil }
                    let source = HostConfiguration.sourceIndex(capability)
                    if source < unnamed.count {
                        file = unnamed[source]
                        usedUnnamed.insert("\(kind) \(source)")
                    } else if kind == .raw, unnamed.count == 1 {
                        // As in the original Rune: one unnamed --raw file feeds every RAW
                        // capability that has no file of its own.
                        file = unnamed[0]
                        usedUnnamed.insert("\(kind) 0")
                    }
                }
                guard let file else {
                    let flag = HostConfiguration.flag(for: kind)
                    throw .capabilityUnavailable("the rune needs capability '\(capability.name)' (\(capability.kind) \(capability.tensor)); pass it with \(flag.replacingOccurrences(of: "FILE", with: "\(capability.name)=FILE"))")
                }
                sources.append(try SensorCapability(capability: capability, file: file, readAs: kind, timeout: limits.timeoutSeconds))
            }
        }
        // Files no capability reads.
        for (kind, list) in files.sorted(by: { $0.key.name < $1.key.name }) {
            var unnamedIndex = 0
            for file in list {
                if let name = file.capability {
                    if !usedNamed.contains("\(kind) \(name)") {
                        throw .input("\(HostConfiguration.flagName(kind)) \(name)=\(file.path): the rune has no \(kind == .raw ? "" : "\(kind) ")capability named '\(name)'; it declares \(HostConfiguration.declared(manifest))")
                    }
                } else {
                    defer { unnamedIndex += 1 }
                    if !usedUnnamed.contains("\(kind) \(unnamedIndex)") {
                        let count = manifest.capabilities.filter { $0.kindID == kind }.count
                        throw .input("\(HostConfiguration.flagName(kind)) \(file.path): the rune has \(count == 0 ? "no" : "no other") \(kind) capability to read it; it declares \(HostConfiguration.declared(manifest))")
                    }
                }
            }
        }
        return sources
    }
}
