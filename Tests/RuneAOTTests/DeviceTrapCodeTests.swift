import Foundation
import Testing

/// The Cortex-M host (Runtime/cortex-m/aot/aot_context.h) restates the workstation's trap codes
/// (Sources/CRuneAOTSupport/include/RuneAOTSupport.h): translated code passes the same numbers
/// to either, so the two lists must agree name for name and value for value.
@Suite struct DeviceTrapCodeTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `PREFIXName = value` lines of an enum, as (name in lower case without underscores, value).
    static func codes(in path: String, prefix: String) throws -> [String: Int] {
        let text = try String(contentsOf: repository.appendingPathComponent(path), encoding: .utf8)
        var codes: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix(prefix), let equals = trimmed.firstIndex(of: "=") else { continue }
            let name = trimmed[trimmed.index(trimmed.startIndex, offsetBy: prefix.count)..<equals]
                .trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "").lowercased()
            let value = trimmed[trimmed.index(after: equals)...].prefix { $0 == " " || $0.isNumber }.trimmingCharacters(in: .whitespaces)
            if let number = Int(value) { codes[name] = number }
        }
        return codes
    }

    @Test func deviceTrapCodesAreTheHostsCodes() throws {
        let host = try Self.codes(in: "Sources/CRuneAOTSupport/include/RuneAOTSupport.h", prefix: "RuneAOTTrap")
        let device = try Self.codes(in: "Runtime/cortex-m/aot/aot_context.h", prefix: "RUNE_AOT_TRAP_")
        #expect(host.count == 12)
        #expect(device == host)
    }
}
