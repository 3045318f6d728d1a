import Foundation

extension String {
    /// The text as a C string literal, quotes included: the one function every text literal in
    /// generated C goes through.
    ///
    /// Only printable ASCII other than `"`, `\\` and `?` is written as itself; every other byte
    /// (newlines, control bytes, NUL, UTF-8) is a three-digit octal escape, which can never run
    /// into a following digit, and `?` is `\\?`, so no trigraph (`??/`, `??!`, ...) can form
    /// even with trigraphs on. The literal's bytes are exactly the string's UTF-8 bytes.
    package var cStringLiteral: String {
        var result = "\""
        result.reserveCapacity(utf8.count + 2)
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): result += "\\\""
            case UInt8(ascii: "\\"): result += "\\\\"
            case UInt8(ascii: "?"): result += "\\?"
            case 0x20..<0x7f: result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "\\"
                result.unicodeScalars.append(Unicode.Scalar(UInt8(ascii: "0") + (byte >> 6)))
                result.unicodeScalars.append(Unicode.Scalar(UInt8(ascii: "0") + ((byte >> 3) & 7)))
                result.unicodeScalars.append(Unicode.Scalar(UInt8(ascii: "0") + (byte & 7)))
            }
        }
        return result + "\""
    }

    /// Text safe inside a C block comment: it cannot end the comment (`*/`), splice lines
    /// (a backslash before a newline), form a trigraph or break the line: control bytes become
    /// spaces, a backslash is written `\x5c`, and `*/`, `/*` and `??` are split. UTF-8 is kept.
    package var cComment: String {
        var result = ""
        result.reserveCapacity(utf8.count)
        var previous: Unicode.Scalar?
        for scalar in unicodeScalars {
            switch scalar {
            case "/" where previous == "*": result += " /"
            case "*" where previous == "/": result += " *"
            case "?" where previous == "?": result += " ?"
            case "\\": result += "\\x5c"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f || (0x80..<0xa0).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}":
                result += " "
            default: result.unicodeScalars.append(scalar)
            }
            previous = scalar
        }
        return result
    }
}
