import RuneManifest

extension HostConfiguration {
    /// The sources of a rune fed over a link (`rune agent`): RAND from ``randomSeed`` as
    /// `rune run` gives it, every other kind from `fed` (the tensor the host streamed, already
    /// converted there as `rune run` converts files). Refused, naming the capability, when this
    /// host cannot honour the manifest or was told to deny a kind it asks for.
    public func linkSources(for manifest: Manifest, fed: (Int, Manifest.Capability) -> any CapabilitySource) throws(RuneError) -> [any CapabilitySource] {
        try HostConfiguration.checkManifest(manifest)
        var sources: [any CapabilitySource] = []
        for (index, capability) in manifest.capabilities.enumerated() {
            guard let kind = capability.kindID else {
                throw .capabilityUnavailable("the rune needs capability '\(capability.name)' of kind \(capability.kind), which this host does not provide (it provides \(CapabilityKind.allCases.map(\.name).joined(separator: ", ")))")
            }
            if deniedKinds.contains(kind) {
                throw .capabilityUnavailable("the rune needs capability '\(capability.name)' of kind \(capability.kind), which this host was told to deny")
            }
            sources.append(kind == .rand ? RandomCapability(capability: capability, seed: randomSeed) : fed(index, capability))
        }
        return sources
    }
}
