import Foundation
import RuneTestSupport
import Testing

/// The README documents what users depend on; these checks fail when the code grows a limit or a
/// diagnostic code the README does not mention.
@Suite struct DocumentationTests {
    static let repository = Fixtures.root.deletingLastPathComponent()

    private func readme() throws -> String {
        try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
    }

    /// The text of the README section headed `## title`, up to the next `## `.
    private func section(_ title: String, of text: String) throws -> Substring {
        let start = try #require(text.range(of: "\n## \(title)\n"), "README has no '## \(title)' section")
        let rest = text[start.upperBound...]
        return rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)]
    }

    @Test func everySharedLimitIsInTheLimitsSection() throws {
        let source = try String(contentsOf: Self.repository.appendingPathComponent("Sources/RuneManifest/RuneLimits.swift"),
                                encoding: .utf8)
        let names = source.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "public static let ") else { return nil }
            return String(line[range.upperBound...].prefix { $0.isLetter || $0.isNumber })
        }
        #expect(names.count > 20, "found only \(names) in RuneLimits.swift")
        let limits = try section("Limits", of: readme())
        for name in names {
            #expect(limits.contains("`\(name)`"), "README's Limits section does not list RuneLimits.\(name)")
        }
    }

    @Test func everyDiagnosticCodeIsInTheReadme() throws {
        let source = try String(contentsOf: Self.repository.appendingPathComponent("Sources/RuneFrontEnd/Diagnostics/DiagnosticCode.swift"),
                                encoding: .utf8)
        let codes = source.matches(of: /rawValue: "([EW][0-9]{4})"/).map { String($0.1) }
        #expect(codes.count > 30)
        let text = try readme()
        for code in codes {
            #expect(text.contains("`\(code)`"), "README does not list \(code)")
        }
    }
}
