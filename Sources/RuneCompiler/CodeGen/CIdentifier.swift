import Foundation

/// Turns stage names into C identifiers that cannot collide with C keywords or each other.
struct CIdentifiers {
    private var used: Set<String> = []
    private var assigned: [String: String] = [:]

    /// A stable identifier for `name` with `prefix`: `fft` -> `s_fft`, `noise-filter` -> `s_noise_filter`.
    mutating func identifier(for name: String, prefix: String = "s_") -> String {
        let key = prefix + "\u{0}" + name
        if let existing = assigned[key] { return existing }
        var base = prefix
        for scalar in name.unicodeScalars {
            base += (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))) ? String(scalar) : "_"
        }
        var candidate = base
        var counter = 2
        while used.contains(candidate) {
            candidate = "\(base)_\(counter)"
            counter += 1
        }
        used.insert(candidate)
        assigned[key] = candidate
        return candidate
    }
}
