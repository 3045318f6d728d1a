import Foundation

/// The distribution spec's error body, `{"errors":[{"code":"…","message":"…","detail":…}]}`.
enum RegistryErrorBody {
    struct Entry: Equatable {
        var code: String
        var message: String
    }

    private struct Body: Decodable {
        struct Item: Decodable {
            var code: String?
            var message: String?
        }
        var errors: [Item]?
    }

    /// The first few entries of `body`, cleaned for a terminal; none when it is not such a body.
    static func entries(_ body: [UInt8]) -> [Entry] {
        guard !body.isEmpty, let decoded = try? JSONDecoder().decode(Body.self, from: Data(body)) else { return [] }
        return (decoded.errors ?? []).prefix(4).compactMap { item in
            guard let code = item.code, !code.isEmpty else { return nil }
            return Entry(code: Printable.clean(code, limit: 64), message: Printable.clean(item.message ?? "", limit: 200))
        }
    }
}
