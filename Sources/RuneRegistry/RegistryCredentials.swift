import Foundation

/// A user name and password for one registry: sent as HTTP Basic credentials, or exchanged for a
/// bearer token at the realm a registry's challenge names.
public struct RegistryCredentials: Equatable, Sendable, Codable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// `Basic BASE64(username:password)`.
    var basicAuthorization: String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }

    /// `RUNE_REGISTRY_USERNAME` and `RUNE_REGISTRY_PASSWORD` when both are set (they apply to
    /// every registry and win over a stored login).
    public static func fromEnvironment(_ environment: [String: String]) -> RegistryCredentials? {
        guard let username = environment["RUNE_REGISTRY_USERNAME"], !username.isEmpty,
              let password = environment["RUNE_REGISTRY_PASSWORD"] else { return nil }
        return RegistryCredentials(username: username, password: password)
    }
}
