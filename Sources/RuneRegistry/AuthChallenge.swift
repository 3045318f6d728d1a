import RuneManifest

/// A registry's `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"` (get a
/// token from the realm, then retry) or `Basic realm="…"` (retry with the user's credentials).
///
/// The header is hostile: it is parsed in one pass over at most
/// `RuneLimits.maxRegistryResponseBytes` bytes, parameters are `name=token` or
/// `name="quoted string"` (with `\` escapes), and anything else ends the parse with nil.
public struct AuthChallenge: Equatable, Sendable {
    /// The scheme, lowercased: `bearer` or `basic` (others are kept so the error can name them).
    public var scheme: String
    /// The parameters, names lowercased; a repeated name keeps its first value.
    public var parameters: [String: String]

    public init(scheme: String, parameters: [String: String]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    /// The first challenge in `header`, or nil when it is malformed.
    public init?(header: String) {
        let bytes = Array(header.utf8.prefix(RuneLimits.maxRegistryResponseBytes))
        var index = 0
        func skipSpaces() {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
        }
        func isTokenByte(_ byte: UInt8) -> Bool {
            // RFC 9110 tchar, plus '/' which some realms and scopes leave unquoted.
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { return true }
            if (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") { return true }
            return Array("!#$%&'*+-.^_`|~/:".utf8).contains(byte)
        }
        func token() -> String? {
            let start = index
            while index < bytes.count, isTokenByte(bytes[index]) { index += 1 }
            return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
        }
        skipSpaces()
        guard let scheme = token() else { return nil }
        var parameters: [String: String] = [:]
        while true {
            skipSpaces()
            if index < bytes.count, bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipSpaces()
            }
            guard index < bytes.count else { break }
            guard let name = token() else { return nil }
            skipSpaces()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                // A second challenge (`Basic realm=…, Bearer …`) starts here; keep the first.
                break
            }
            index += 1
            skipSpaces()
            var value: [UInt8] = []
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                var closed = false
                while index < bytes.count {
                    let byte = bytes[index]
                    index += 1
                    if byte == UInt8(ascii: "\"") {
                        closed = true
                        break
                    }
                    if byte == UInt8(ascii: "\\") {
                        guard index < bytes.count else { return nil }
                        value.append(bytes[index])
                        index += 1
                    } else {
                        value.append(byte)
                    }
                }
                guard closed else { return nil }
            } else {
                guard let bare = token() else { return nil }
                value = Array(bare.utf8)
            }
            let key = name.lowercased()
            if parameters[key] == nil { parameters[key] = String(decoding: value, as: UTF8.self) }
        }
        self.init(scheme: scheme.lowercased(), parameters: parameters)
    }
}
