@testable import RuneCompiler
@testable import RuneModels
import Testing

/// `cStringLiteral` is the one way text reaches generated C: whatever the text, the literal is
/// printable ASCII with no trigraph, no raw quote, backslash or newline, and reads back as the
/// text's exact bytes.
@Suite struct CLiteralTests {
    static let hostile: [String] = [
        "what??!", "??/", "??=", "??(", "??)", "??<", "??>", "??'", "??-", "???/", "?\u{0}?/",
        "\"", "\\", "\\\"", "\n", "\r", "\u{0}", "\u{1}7", "\u{7f}", "*/", "é", "🙂", "\u{0}12",
        String(repeating: "??!", count: 1000),
    ]

    /// Reads a C string literal's body back into bytes (the escapes cStringLiteral writes).
    static func decode(_ literal: String) -> [UInt8]? {
        let bytes = Array(literal.utf8)
        guard bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\""), bytes.count >= 2 else { return nil }
        var result: [UInt8] = []
        var index = 1
        while index < bytes.count - 1 {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                result.append(byte)
                index += 1
                continue
            }
            let next = bytes[index + 1]
            switch next {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "?"):
                result.append(next)
                index += 2
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                let digits = bytes[(index + 1)...(index + 3)].map { Int($0) - Int(UInt8(ascii: "0")) }
                guard digits.allSatisfy({ (0...7).contains($0) }) else { return nil }
                result.append(UInt8(digits[0] * 64 + digits[1] * 8 + digits[2]))
                index += 4
            default:
                return nil
            }
        }
        return result
    }

    @Test(arguments: hostile)
    func literalIsInertAndExact(_ text: String) throws {
        let literal = text.cStringLiteral
        #expect(!literal.contains("??"), "a trigraph could form in \(literal)")
        #expect(literal.utf8.allSatisfy { (0x20..<0x7f).contains($0) }, "\(literal) has a byte that is not printable ASCII")
        #expect(Self.decode(literal) == Array(text.utf8), "\(literal) does not read back as \(text.debugDescription)")
    }

    @Test(arguments: hostile)
    func commentIsInert(_ text: String) {
        let comment = text.cComment
        #expect(!comment.contains("*/"))
        #expect(!comment.contains("/*"))
        #expect(!comment.contains("??"))
        #expect(!comment.contains("\n") && !comment.contains("\r"))
        #expect(!comment.contains("\\\n") && !comment.hasSuffix("\\"), "a backslash could splice lines")
    }

    @Test func clangRunsWithoutTrigraphs() {
        let plan = BuildPlan(target: .wasm32, optimization: .size, debugInfo: false, units: [], headers: [:],
                             includeDirectories: [], exportedSymbols: [], linkerArguments: [])
        let arguments = ClangFrontend(plan: plan).arguments(for: .init(path: "/rune/generated/a.c", source: ""))
        #expect(arguments.contains("-fno-trigraphs"))
    }
}
