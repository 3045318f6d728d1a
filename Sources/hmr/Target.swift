import RuneLink

/// A device Hammer can reach: a named target from the targets file, or a serial port it found.
struct Target: Sendable, Equatable {
    /// What `-t` takes: the name, or the device path of a discovered port.
    var id: String
    var address: TargetAddress
    /// Whether it came from the targets file (rather than discovery).
    var configured: Bool

    /// Every target: the targets file's, then discovered ports not already named there.
    static func all() throws(HammerError) -> [Target] {
        let store = try TargetStore.load()
        var targets: [Target] = []
        for entry in store.entries {
            targets.append(Target(id: entry.name, address: try TargetAddress(parsing: entry.url), configured: true))
        }
        let configuredPaths = Set(targets.compactMap { target -> String? in
            if case .serial(let path, _) = target.address { return path }
            return nil
        })
        for port in SerialDiscovery.ports() where !configuredPaths.contains(port) {
            targets.append(Target(id: port, address: .serial(path: port, baudRate: SerialByteLink.defaultBaudRate), configured: false))
        }
        return targets
    }

    /// The targets `ids` names (comma-separated lists allowed), in order, each once; a device
    /// path or address no target names is taken as it is.
    static func resolve(_ ids: [String]) throws(HammerError) -> [Target] {
        let known = try all()
        var chosen: [Target] = []
        for id in ids.flatMap({ $0.split(separator: ",").map(String.init) }) where !id.isEmpty {
            let target: Target
            if let match = known.first(where: { $0.id == id }) {
                target = match
            } else if id.hasPrefix("/") || id.contains("://") {
                target = Target(id: id, address: try TargetAddress(parsing: id), configured: false)
            } else {
                let names = known.map(\.id)
                throw HammerError("no target '\(id)'; \(names.isEmpty ? "none are configured or found (add one with 'hmr targets add NAME URL')" : "the targets are \(names.joined(separator: ", "))")")
            }
            if !chosen.contains(where: { $0.id == target.id }) { chosen.append(target) }
        }
        guard !chosen.isEmpty else { throw HammerError("no target given: use -t ID[,ID...]") }
        return chosen
    }
}
