import Foundation
import RuneManifest

/// Parses the Dockerfile-like Runefile, in both of its spellings:
///
/// ```
/// # untyped, as in the Rune paper: KIND before name, types inferred
/// CAPABILITY AUDIO audio --hz 16000
/// PROC_BLOCK runicos/fft fft
/// MODEL ./model.tflite model --input [150,1] --output 1
///
/// # typed: name before kind, tensor types between < and >
/// CAPABILITY<I16[16000]> audio SOUND --hz 16000
/// PROC_BLOCK<I16[16000],U32[1960]> fft hotg-ai/rune#proc-blocks/fft
/// MODEL<I8[1960],I8[6]> model ./model.tflite
/// ```
public struct RunefileParser {
    public let file: SourceFile
    let diagnostics: DiagnosticEngine

    public init(file: SourceFile, diagnostics: DiagnosticEngine) {
        self.file = file
        self.diagnostics = diagnostics
    }

    public func parse() -> RunefileSyntax {
        var syntax = RunefileSyntax(file: file, format: .runefile, image: nil, stages: [], edges: [])
        for line in RunefileLexer(file: file, diagnostics: diagnostics).lines() {
            parse(line, into: &syntax)
        }
        if syntax.image == nil {
            diagnostics.emit(.error(.missingImage, "the Runefile has no FROM instruction",
                                    at: SourceRange(SourceLocation(file: file.path, line: 1, column: 1)),
                                    help: "start the Runefile with 'FROM runicos/base'"))
        }
        return syntax
    }

    private func parse(_ line: LogicalLine, into syntax: inout RunefileSyntax) {
        let keyword = line.tokens[0]
        let (instruction, typeText) = splitTypes(keyword.text)
        let words = Array(line.tokens.dropFirst())
        switch instruction.uppercased() {
        case "FROM":
            guard let image = words.first else {
                diagnostics.emit(.error(.syntax, "FROM needs an image name", at: keyword.range,
                                        help: "write 'FROM runicos/base'"))
                return
            }
            if let previous = syntax.image {
                diagnostics.emit(.error(.syntax, "FROM is given twice", at: keyword.range,
                                        notes: [.init("first given here", at: previous.range)]))
            }
            syntax.image = Located(image.text, at: image.range)
            reportExtra(words.dropFirst(), after: "FROM")
        case "RUN":
            parseRun(words, keyword: keyword, into: &syntax)
        case "CAPABILITY", "PROC_BLOCK", "MODEL", "OUT":
            let kind = StageKind(rawValue: instruction.uppercased())!
            if let stage = parseStage(kind, keyword: keyword, typeText: typeText, words: words) {
                syntax.stages.append(stage)
            } else {
                // Remember the likely name, so RUN lines that use it are not reported too.
                for word in words where isIdentifier(word.text) && !word.text.hasPrefix("-") {
                    syntax.unparsedStageNames.insert(word.text)
                }
            }
        default:
            diagnostics.emit(.error(.unknownInstruction, "unknown instruction '\(instruction)'",
                                    at: SourceRange(keyword.range.start, length: instruction.count),
                                    help: closest(instruction.uppercased(), in: RunefileParser.instructions)
                                        .map { "did you mean '\($0)'?" }
                                        ?? "instructions are " + RunefileParser.instructions.joined(separator: ", ")))
        }
    }

    static let instructions = ["FROM", "CAPABILITY", "PROC_BLOCK", "MODEL", "OUT", "RUN"]

    /// The type list of an instruction word: `PROC_BLOCK<A,B>` has the types "A,B".
    private enum TypeList {
        case none
        case closed(String)
        case unclosed
    }

    /// `PROC_BLOCK<A,B>` -> ("PROC_BLOCK", .closed("A,B")).
    private func splitTypes(_ text: String) -> (String, TypeList) {
        guard let open = text.firstIndex(of: "<") else { return (text, .none) }
        let name = String(text[..<open])
        var inner = String(text[text.index(after: open)...])
        guard inner.hasSuffix(">") else { return (name, .unclosed) }
        inner.removeLast()
        return (name, .closed(inner))
    }

    private func parseRun(_ words: [Token], keyword: Token, into syntax: inout RunefileSyntax) {
        guard words.count >= 2 else {
            diagnostics.emit(.error(.syntax, "RUN needs at least two stages", at: keyword.range,
                                    help: "list the stages in the order data flows, e.g. 'RUN audio fft model serial'"))
            return
        }
        var previous: Token?
        for word in words {
            if word.text.hasPrefix("-") {
                diagnostics.emit(.error(.syntax, "RUN takes stage names, not arguments", at: word.range))
                return
            }
            if let producer = previous {
                syntax.edges.append(EdgeSyntax(producer: Located(producer.text, at: producer.range), outputIndex: nil,
                                               consumer: Located(word.text, at: word.range)))
            }
            previous = word
        }
    }

    private func parseStage(_ kind: StageKind, keyword: Token, typeText: TypeList, words: [Token]) -> StageSyntax? {
        var types: [[Located<TypeSyntax>]]? = nil
        switch typeText {
        case .none:
            break
        case .unclosed:
            diagnostics.emit(.error(.invalidType, "the type list is not closed", at: keyword.range,
                                    help: "close it with '>'"))
            return nil
        case .closed(let text):
            let typesStart = SourceLocation(file: file.path, line: keyword.range.start.line,
                                            column: keyword.range.start.column + kind.rawValue.count + 1)
            guard let parsed = TypeListParser(text: text, start: typesStart, diagnostics: diagnostics).parse() else {
                return nil
            }
            types = parsed
        }
        let positional = Array(words.prefix { !isArgumentStart($0) })
        let rest = Array(words.dropFirst(positional.count))
        let arguments = parseArguments(rest)
        let usage = RunefileParser.usage[kind]!

        var name: Token
        var reference: Token
        switch (kind, positional.count) {
        case (.output, 1):
            // `OUT serial`: the stage is named after its kind.
            reference = positional[0]
            name = Token(text: positional[0].text.lowercased(), range: positional[0].range)
        case (.output, 2):
            reference = positional[0]
            name = positional[1]
        case (_, 2):
            (name, reference) = orderNameAndReference(kind, positional[0], positional[1], typed: types != nil)
        default:
            let range = positional.count > 2 ? positional[2].range : keyword.range
            diagnostics.emit(.error(.syntax, positional.count > 2
                                        ? "unexpected '\(positional[2].text)' in \(kind.rawValue)"
                                        : "\(kind.rawValue) needs a name and a \(kind == .output ? "kind" : kind == .model ? "model path" : kind == .procBlock ? "block" : "kind")",
                                    at: range, help: "write '\(usage)'"))
            return nil
        }
        guard isIdentifier(name.text) else {
            diagnostics.emit(.error(.syntax, "'\(name.text)' is not a valid stage name", at: name.range,
                                    help: "stage names are letters, digits, '_' and '-', starting with a letter or '_'"))
            return nil
        }

        var inputTypes: [Located<TypeSyntax>]?
        var outputTypes: [Located<TypeSyntax>]?
        if let types {
            switch kind {
            case .capability:
                guard types.count == 1 else {
                    diagnostics.emit(.error(.invalidType, "a capability declares only its output type",
                                            at: keyword.range, help: "write 'CAPABILITY<I16[16000]> audio SOUND'"))
                    return nil
                }
                outputTypes = types[0]
            case .procBlock, .model:
                guard types.count == 2 else {
                    diagnostics.emit(.error(.invalidType,
                                            "\(kind.rawValue) declares an input and an output type, found \(types.count) type\(types.count == 1 ? "" : "s")",
                                            at: keyword.range, help: "write '\(usage)'"))
                    return nil
                }
                inputTypes = types[0]
                outputTypes = types[1]
            case .output:
                guard types.count == 1 else {
                    diagnostics.emit(.error(.invalidType, "an output declares only its input types", at: keyword.range))
                    return nil
                }
                inputTypes = types[0]
            }
        }
        return StageSyntax(kind: kind, range: keyword.range, name: Located(name.text, at: name.range),
                           reference: Located(reference.text, at: reference.range),
                           inputTypes: inputTypes, outputTypes: outputTypes, arguments: arguments)
    }

    static let usage: [StageKind: String] = [
        .capability: "CAPABILITY<I16[16000]> audio SOUND --hz 16000",
        .procBlock: "PROC_BLOCK<I16[16000],U32[1960]> fft hotg-ai/rune#proc-blocks/fft",
        .model: "MODEL<I8[1960],I8[6]> model ./model.tflite",
        .output: "OUT serial",
    ]

    /// Typed declarations put the name first (`audio SOUND`); the paper's untyped form puts the
    /// kind or path first (`AUDIO audio`, `runicos/fft fft`, `./m.tflite model`). A word that
    /// looks like a path is the reference either way.
    private func orderNameAndReference(_ kind: StageKind, _ first: Token, _ second: Token,
                                       typed: Bool) -> (name: Token, reference: Token) {
        let firstIsPath = looksLikePath(first.text)
        let secondIsPath = looksLikePath(second.text)
        if firstIsPath != secondIsPath {
            return firstIsPath ? (second, first) : (first, second)
        }
        if kind == .capability, !typed {
            let firstIsKind = CapabilityKind(named: first.text) != nil
            let secondIsKind = CapabilityKind(named: second.text) != nil
            if firstIsKind != secondIsKind { return firstIsKind ? (second, first) : (first, second) }
        }
        return typed ? (first, second) : (second, first)
    }

    private func looksLikePath(_ text: String) -> Bool {
        text.contains("/") || text.contains("#") || text.contains("@") || text.hasSuffix(".tflite") || text.hasSuffix(".c")
    }

    private func isArgumentStart(_ token: Token) -> Bool {
        !token.startsQuoted && token.text.hasPrefix("-") && token.text.count > 1 && !isNumber(token.text)
    }

    private func isNumber(_ text: String) -> Bool { Double(text) != nil }

    private func parseArguments(_ tokens: [Token]) -> [ArgumentSyntax] {
        var arguments: [ArgumentSyntax] = []
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            guard isArgumentStart(token) else {
                diagnostics.emit(.error(.syntax, "unexpected '\(token.text)'", at: token.range,
                                        help: "arguments are written '--name value', '--name=value' or '-n value'"))
                continue
            }
            let dashes = token.text.hasPrefix("--") ? 2 : 1
            let body = String(token.text.dropFirst(dashes))
            let keyStart = SourceLocation(file: token.range.start.file, line: token.range.start.line,
                                          column: token.range.start.column + dashes)
            if let equals = body.firstIndex(of: "=") {
                let key = String(body[..<equals])
                let valueOffset = dashes + key.count + 1
                let value = Token(text: String(token.text.dropFirst(valueOffset)),
                                  range: SourceRange(SourceLocation(file: keyStart.file, line: keyStart.line,
                                                                    column: keyStart.column + key.count + 1),
                                                     length: token.text.count - valueOffset),
                                  quotedCharacters: Array(token.quotedCharacters.dropFirst(valueOffset)))
                arguments.append(ArgumentSyntax(
                    key: Located(key, at: SourceRange(keyStart, length: key.count)),
                    value: Located(parseValue(value), at: value.range)))
                continue
            }
            let key = Located(body, at: SourceRange(keyStart, length: body.count))
            if index < tokens.count, !isArgumentStart(tokens[index]) {
                let value = tokens[index]
                index += 1
                arguments.append(ArgumentSyntax(key: key, value: Located(parseValue(value), at: value.range)))
            } else {
                arguments.append(ArgumentSyntax(key: key, value: Located(.flag, at: token.range)))
            }
        }
        return arguments
    }

    /// `[150, 1]` and `a,b,c` are lists; a value without unquoted commas is a scalar.
    private func parseValue(_ token: Token) -> ArgumentValue {
        var characters = Array(token.text)
        var quoted = token.quotedCharacters
        var bracketed = false
        if characters.first == "[", characters.last == "]", quoted.first == false, quoted.last == false {
            characters = Array(characters.dropFirst().dropLast())
            quoted = Array(quoted.dropFirst().dropLast())
            bracketed = true
        }
        var items: [String] = []
        var current = ""
        for (character, isQuoted) in zip(characters, quoted) {
            if character == ",", !isQuoted {
                items.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        items.append(current)
        if bracketed {
            return .list(items.map { $0.trimmingCharacters(in: [" ", "\t"]) }.filter { !$0.isEmpty })
        }
        if items.count == 1 { return .scalar(items[0]) }
        return .list(items.map { $0.trimmingCharacters(in: [" ", "\t"]) })
    }

    private func reportExtra(_ words: ArraySlice<Token>, after instruction: String) {
        if let extra = words.first {
            diagnostics.emit(.error(.syntax, "unexpected '\(extra.text)' after \(instruction)", at: extra.range))
        }
    }
}

func isIdentifier(_ text: String) -> Bool {
    guard let first = text.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
    return text.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
}

/// The candidate within edit distance 2 of `word`, for "did you mean" hints.
func closest(_ word: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
    let scored = candidates.map { ($0, distance(Array(word.lowercased()), Array($0.lowercased()))) }
        .filter { $0.1 <= 2 && $0.1 < max(word.count, 2) }
    return scored.min { $0.1 < $1.1 }?.0
}
