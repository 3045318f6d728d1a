import Foundation

/// Serial ports found without configuration: `/dev/serial/by-id/*` (stable names, preferred),
/// then `/dev/ttyACM*` and `/dev/ttyUSB*` that no by-id name points at.
enum SerialDiscovery {
    static func ports(devices: URL = URL(fileURLWithPath: "/dev")) -> [String] {
        let fileManager = FileManager.default
        let byID = devices.appendingPathComponent("serial/by-id")
        var found: [String] = []
        var covered = Set<String>()
        for name in ((try? fileManager.contentsOfDirectory(atPath: byID.path)) ?? []).sorted() {
            let path = byID.appendingPathComponent(name).path
            found.append(path)
            covered.insert(URL(fileURLWithPath: path).resolvingSymlinksInPath().path)
        }
        let names = ((try? fileManager.contentsOfDirectory(atPath: devices.path)) ?? []).sorted()
        for name in names where name.hasPrefix("ttyACM") || name.hasPrefix("ttyUSB") {
            let path = devices.appendingPathComponent(name).path
            if !covered.contains(path) { found.append(path) }
        }
        return found
    }
}
