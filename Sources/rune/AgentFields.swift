import RuneLink

/// The fields of an SMP request map `rune agent` reads, each of the type its command expects:
/// other keys are skipped (as RunicOS does), a field of the wrong type refuses the request.
struct AgentFields {
    enum Kind { case unsigned, bytes, text, bool }

    private let values: [String: CBOR]

    init(_ body: CBOR, _ expected: [String: Kind]) throws(AgentRefusal) {
        guard case .map(let entries) = body else {
            throw AgentRefusal(returnCode: AgentRefusal.invalidValue, reason: "the request body is not a CBOR map")
        }
        var values: [String: CBOR] = [:]
        for (key, kind) in expected {
            guard let value = entries[key] else { continue }
            let fits = switch kind {
            case .unsigned: value.unsignedValue != nil
            case .bytes: value.bytesValue != nil
            case .text: value.textValue != nil
            case .bool: value.boolValue != nil
            }
            guard fits else {
                throw AgentRefusal(returnCode: AgentRefusal.invalidValue, reason: "request field \"\(key)\" has the wrong type")
            }
            values[key] = value
        }
        self.values = values
    }

    func unsigned(_ key: String) -> UInt64? { values[key]?.unsignedValue }
    func bytes(_ key: String) -> [UInt8]? { values[key]?.bytesValue }
    func text(_ key: String) -> String? { values[key]?.textValue }
    func bool(_ key: String) -> Bool? { values[key]?.boolValue }
}
