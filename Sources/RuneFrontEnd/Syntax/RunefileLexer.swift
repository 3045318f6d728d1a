/// A word of a Runefile instruction line, with where it came from.
struct Token: Sendable {
    var text: String
    var range: SourceRange
    /// For each character of `text`, whether it was inside quotes: a quoted comma does not split
    /// a list, and a quoted leading dash does not start an argument.
    var quotedCharacters: [Bool]

    init(text: String, range: SourceRange, quotedCharacters: [Bool]? = nil) {
        self.text = text
        self.range = range
        self.quotedCharacters = quotedCharacters ?? Array(repeating: false, count: text.count)
    }

    var startsQuoted: Bool { quotedCharacters.first ?? false }
    var isQuoted: Bool { quotedCharacters.contains(true) }
}

/// One instruction: its words after comments and `\` continuations are resolved.
struct LogicalLine: Sendable {
    var tokens: [Token]
}

/// Splits a Dockerfile-like Runefile into instruction lines and words.
///
/// Words are separated by whitespace, except inside `<...>` (a type list), `[...]` (a list) and
/// `"..."` (a quoted string), which may contain spaces. `#` at the start of a word starts a
/// comment, so `hotg-ai/rune#proc-blocks/fft` is one word. A line ending in `\` continues on
/// the next line.
struct RunefileLexer {
    let file: SourceFile
    let diagnostics: DiagnosticEngine

    private struct Character_ {
        var character: Character
        var location: SourceLocation
    }

    func lines() -> [LogicalLine] {
        var result: [LogicalLine] = []
        var current: [Character_] = []
        var line = 1
        var column = 1
        let characters = Array(file.text)
        var index = 0
        func flush() {
            let tokens = tokenize(current)
            if !tokens.isEmpty { result.append(LogicalLine(tokens: tokens)) }
            current.removeAll()
        }
        while index < characters.count {
            let character = characters[index]
            if character == "\\", continuesLine(characters, after: index) {
                // Skip the backslash, trailing blanks and the line break.
                index += 1
                while index < characters.count, characters[index] == " " || characters[index] == "\t" { index += 1 }
                if index < characters.count, characters[index] == "\r\n" || characters[index] == "\n" || characters[index] == "\r" {
                    index += 1
                }
                current.append(Character_(character: " ", location: SourceLocation(file: file.path, line: line, column: column)))
                line += 1
                column = 1
                continue
            }
            if character == "\n" || character == "\r\n" || character == "\r" {
                flush()
                line += 1
                column = 1
                index += 1
                continue
            }
            current.append(Character_(character: character, location: SourceLocation(file: file.path, line: line, column: column)))
            column += 1
            index += 1
        }
        flush()
        return result
    }

    private func continuesLine(_ characters: [Character], after index: Int) -> Bool {
        var next = index + 1
        while next < characters.count, characters[next] == " " || characters[next] == "\t" { next += 1 }
        return next >= characters.count || characters[next] == "\n" || characters[next] == "\r\n" || characters[next] == "\r"
    }

    private func tokenize(_ characters: [Character_]) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < characters.count {
            let character = characters[index].character
            if character == " " || character == "\t" {
                index += 1
                continue
            }
            if character == "#" { break }
            let start = characters[index].location
            var text = ""
            var quotedCharacters: [Bool] = []
            var depthAngle = 0
            var depthSquare = 0
            var endLocation = start
            while index < characters.count {
                let current = characters[index].character
                if current == "\"" {
                    // A quoted section: copied without the quotes; \" and \\ are escapes.
                    index += 1
                    var closed = false
                    while index < characters.count {
                        let inner = characters[index].character
                        if inner == "\\", index + 1 < characters.count {
                            text.append(characters[index + 1].character)
                            quotedCharacters.append(true)
                            index += 2
                            continue
                        }
                        if inner == "\"" {
                            closed = true
                            endLocation = characters[index].location
                            index += 1
                            break
                        }
                        text.append(inner)
                        quotedCharacters.append(true)
                        endLocation = characters[index].location
                        index += 1
                    }
                    if !closed {
                        diagnostics.emit(.error(.syntax, "unterminated string", at: SourceRange(start),
                                                help: "close the string with '\"'"))
                    }
                    continue
                }
                if (current == " " || current == "\t"), depthAngle == 0, depthSquare == 0 { break }
                switch current {
                case "<": depthAngle += 1
                case ">": depthAngle = max(0, depthAngle - 1)
                case "[": depthSquare += 1
                case "]": depthSquare = max(0, depthSquare - 1)
                default: break
                }
                text.append(current)
                quotedCharacters.append(false)
                endLocation = characters[index].location
                index += 1
            }
            let length = endLocation.line == start.line ? endLocation.column - start.column + 1 : text.count
            tokens.append(Token(text: text, range: SourceRange(start, length: length), quotedCharacters: quotedCharacters))
        }
        return tokens
    }
}
