/// Parses the text between `<` and `>` of a typed declaration into groups of types.
///
/// `I16[16000],U32[1960]` is two groups of one type each; `(I8[4], U8[16]),I32[4]` is a group of
/// two inputs and a group of one output. Whitespace is allowed anywhere.
struct TypeListParser {
    let text: String
    /// Where the first character of `text` is in the source.
    let start: SourceLocation
    let diagnostics: DiagnosticEngine

    private var characters: [Character] { Array(text) }

    func parse() -> [[Located<TypeSyntax>]]? {
        var cursor = Cursor(characters: characters)
        var groups: [[Located<TypeSyntax>]] = []
        cursor.skipSpaces()
        if cursor.atEnd {
            fail("empty type list", at: 0, help: "write a type such as 'I16[16000]'")
            return nil
        }
        while !cursor.atEnd {
            if cursor.peek == "(" {
                cursor.advance()
                var group: [Located<TypeSyntax>] = []
                while true {
                    cursor.skipSpaces()
                    guard let type = parseType(&cursor) else { return nil }
                    group.append(type)
                    cursor.skipSpaces()
                    if cursor.peek == "," { cursor.advance(); continue }
                    if cursor.peek == ")" { cursor.advance(); break }
                    fail("expected ',' or ')' in the type group", at: cursor.index)
                    return nil
                }
                groups.append(group)
            } else {
                guard let type = parseType(&cursor) else { return nil }
                groups.append([type])
            }
            cursor.skipSpaces()
            if cursor.atEnd { break }
            guard cursor.peek == "," else {
                fail("expected ',' between types", at: cursor.index)
                return nil
            }
            cursor.advance()
            cursor.skipSpaces()
        }
        return groups
    }

    private func parseType(_ cursor: inout Cursor) -> Located<TypeSyntax>? {
        let begin = cursor.index
        var name = ""
        while let character = cursor.peek, character.isLetter || character.isNumber || character == "_" {
            name.append(character)
            cursor.advance()
        }
        guard !name.isEmpty else {
            fail("expected an element type such as 'I16' or 'F32'", at: begin)
            return nil
        }
        var dimensions: [Int] = []
        cursor.skipSpaces()
        if cursor.peek == "[" {
            cursor.advance()
            while true {
                cursor.skipSpaces()
                let numberStart = cursor.index
                var digits = ""
                while let character = cursor.peek, character.isASCII, character.isNumber {
                    digits.append(character)
                    cursor.advance()
                }
                guard let value = Int(digits), value > 0, value <= 1 << 30 else {
                    fail(digits.isEmpty ? "expected a dimension" : "dimension '\(digits)' must be a positive integer",
                         at: numberStart, length: max(1, digits.count))
                    return nil
                }
                dimensions.append(value)
                cursor.skipSpaces()
                if cursor.peek == "," { cursor.advance(); continue }
                if cursor.peek == "]" { cursor.advance(); break }
                fail("expected ',' or ']' in the dimensions", at: cursor.index)
                return nil
            }
        }
        return Located(TypeSyntax(elementType: name, dimensions: dimensions), at: range(begin, cursor.index - begin))
    }

    private func range(_ offset: Int, _ length: Int) -> SourceRange {
        SourceRange(SourceLocation(file: start.file, line: start.line, column: start.column + offset), length: length)
    }

    private func fail(_ message: String, at offset: Int, length: Int = 1, help: String? = nil) {
        diagnostics.emit(.error(.invalidType, message, at: range(offset, length), help: help))
    }

    private struct Cursor {
        let characters: [Character]
        var index = 0
        var atEnd: Bool { index >= characters.count }
        var peek: Character? { atEnd ? nil : characters[index] }
        mutating func advance() { index += 1 }
        mutating func skipSpaces() {
            while let character = peek, character == " " || character == "\t" { advance() }
        }
    }
}
