import Foundation

/// The arguments a stage accepts: names, value types, defaults.
///
/// Checking a stage's arguments against its schema yields canonical values (keys lower case with
/// `_`, numbers in canonical form, defaults filled in), so different spellings of one Runefile
/// lower to the same IR.
public struct ArgumentSchema: Sendable {
    public var parameters: [Parameter]

    public init(_ parameters: [Parameter]) { self.parameters = parameters }

    public static let none = ArgumentSchema([])

    func parameter(named key: String) -> Parameter? {
        let normalized = ArgumentSchema.normalize(key)
        return parameters.first { $0.name == normalized || $0.aliases.contains(normalized) }
    }

    /// `pixel-format` and `Pixel_Format` are both `pixel_format`.
    static func normalize(_ key: String) -> String {
        key.lowercased().replacingOccurrences(of: "-", with: "_")
    }
}

/// One named argument.
public struct Parameter: Sendable {
    public enum Kind: Sendable {
        case integer(ClosedRange<Int>)
        case float(ClosedRange<Double>)
        /// One of fixed words, compared case-insensitively; `@Enum::Word` is accepted as `Word`.
        case choice([String])
        case string
        /// Comma-separated words, a YAML list, or a YAML block of lines.
        case stringList
        case integerList(ClosedRange<Int>)
    }

    public var name: String
    public var aliases: [String]
    public var kind: Kind
    /// Canonical text of the default, or nil when the argument is optional without one.
    public var defaultValue: String?
    public var isRequired: Bool
    public var summary: String

    public init(_ name: String, _ kind: Kind, default defaultValue: String? = nil, required: Bool = false,
                aliases: [String] = [], summary: String) {
        self.name = name
        self.aliases = aliases
        self.kind = kind
        self.defaultValue = defaultValue
        self.isRequired = required
        self.summary = summary
    }

    var expectation: String {
        switch kind {
        case .integer(let range): "an integer in \(describe(range))"
        case .float(let range): "a number in \(range.lowerBound)...\(range.upperBound)"
        case .choice(let choices): "one of " + choices.joined(separator: ", ")
        case .string: "a string"
        case .stringList: "a comma-separated list"
        case .integerList(let range): "a list of integers in \(describe(range))"
        }
    }

    private func describe(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max ? "\(range.lowerBound) or more" : "\(range.lowerBound)...\(range.upperBound)"
    }
}

/// A checked argument value.
public enum ResolvedValue: Sendable, Equatable {
    case integer(Int)
    case float(Double)
    case string(String)
    case list([String])
    case integerList([Int])

    /// Canonical text, as stored in the manifest and printed in the IR.
    public var text: String {
        switch self {
        case .integer(let value): String(value)
        case .float(let value): String(value)
        case .string(let value): value
        case .list(let values): values.joined(separator: ",")
        case .integerList(let values): values.map(String.init).joined(separator: ",")
        }
    }
}

/// Checked arguments in schema order.
public struct ResolvedArguments: Sendable, Equatable {
    public var entries: [(key: String, value: ResolvedValue)]

    public init(_ entries: [(key: String, value: ResolvedValue)] = []) { self.entries = entries }

    public subscript(key: String) -> ResolvedValue? { entries.first { $0.key == key }?.value }

    public func integer(_ key: String) -> Int? {
        if case .integer(let value)? = self[key] { return value }
        return nil
    }

    public func float(_ key: String) -> Double? {
        switch self[key] {
        case .float(let value)?: value
        case .integer(let value)?: Double(value)
        default: nil
        }
    }

    public func string(_ key: String) -> String? {
        if case .string(let value)? = self[key] { return value }
        return nil
    }

    public func list(_ key: String) -> [String]? {
        if case .list(let values)? = self[key] { return values }
        return nil
    }

    public func integerList(_ key: String) -> [Int]? {
        if case .integerList(let values)? = self[key] { return values }
        return nil
    }

    public mutating func set(_ key: String, _ value: ResolvedValue) {
        if let index = entries.firstIndex(where: { $0.key == key }) {
            entries[index].value = value
        } else {
            entries.append((key, value))
        }
    }

    public static func == (lhs: ResolvedArguments, rhs: ResolvedArguments) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension ArgumentSchema {
    /// Checks `arguments` of stage `stage`, reporting unknown, duplicate, missing and malformed ones.
    func resolve(_ arguments: [ArgumentSyntax], stage: String, at stageRange: SourceRange,
                 diagnostics: DiagnosticEngine) -> ResolvedArguments {
        var seen: [String: SourceRange] = [:]
        var values: [String: ResolvedValue] = [:]
        for argument in arguments {
            guard let parameter = parameter(named: argument.key.value) else {
                let names = parameters.map(\.name)
                diagnostics.emit(.error(.unknownArgument, "'\(stage)' has no argument '\(argument.key.value)'",
                                        at: argument.key.range,
                                        help: names.isEmpty ? "this stage takes no arguments"
                                            : closest(ArgumentSchema.normalize(argument.key.value), in: names)
                                                .map { "did you mean '\($0)'?" }
                                                ?? "it accepts: " + names.joined(separator: ", ")))
                continue
            }
            if let previous = seen[parameter.name] {
                diagnostics.emit(.error(.duplicateArgument, "argument '\(parameter.name)' is given twice",
                                        at: argument.key.range, notes: [.init("first given here", at: previous)]))
                continue
            }
            seen[parameter.name] = argument.key.range
            if let value = parameter.resolve(argument.value.value) {
                values[parameter.name] = value
            } else {
                diagnostics.emit(.error(.invalidArgument,
                                        "invalid value '\(argument.value.value.text)' for '\(parameter.name)'",
                                        at: argument.value.range,
                                        label: "expected \(parameter.expectation)",
                                        help: parameter.summary))
            }
        }
        var resolved = ResolvedArguments()
        for parameter in parameters {
            if let value = values[parameter.name] {
                resolved.entries.append((parameter.name, value))
            } else if let text = parameter.defaultValue, let value = parameter.resolve(.scalar(text)) {
                resolved.entries.append((parameter.name, value))
            } else if parameter.isRequired, seen[parameter.name] == nil {
                diagnostics.emit(.error(.missingArgument, "'\(stage)' needs the argument '\(parameter.name)'",
                                        at: stageRange, help: "add '--\(parameter.name.replacingOccurrences(of: "_", with: "-")) <\(parameter.expectation)>': \(parameter.summary)"))
            }
        }
        return resolved
    }
}

extension Parameter {
    func resolve(_ value: ArgumentValue) -> ResolvedValue? {
        switch kind {
        case .integer(let range):
            guard case .scalar(let text) = value, let number = Parameter.integer(text), range.contains(number) else { return nil }
            return .integer(number)
        case .float(let range):
            guard case .scalar(let text) = value, let number = Double(text.trimmed), number.isFinite,
                  range.contains(number) else { return nil }
            return .float(number)
        case .choice(let choices):
            guard case .scalar(let text) = value else { return nil }
            var word = text.trimmed
            // The original Rune wrote enums as `@PixelFormat::GrayScale`.
            if word.hasPrefix("@"), let separator = word.range(of: "::") {
                word = String(word[separator.upperBound...])
            }
            return choices.first { $0.lowercased() == word.lowercased() }.map { .string($0) }
        case .string:
            guard case .scalar(let text) = value else { return nil }
            return .string(text)
        case .stringList:
            switch value {
            case .scalar(let text): return .list([text])
            case .list(let items): return .list(items)
            case .flag: return nil
            }
        case .integerList(let range):
            let items: [String]
            switch value {
            case .scalar(let text): items = [text]
            case .list(let list): items = list
            case .flag: return nil
            }
            var numbers: [Int] = []
            for item in items {
                guard let number = Parameter.integer(item), range.contains(number) else { return nil }
                numbers.append(number)
            }
            return numbers.isEmpty ? nil : .integerList(numbers)
        }
    }

    /// Decimal integers; `16000.0` is accepted as 16000 because YAML writers produce it.
    static func integer(_ text: String) -> Int? {
        let trimmed = text.trimmed
        if let value = Int(trimmed) { return value }
        if let value = Double(trimmed), value.isFinite, value == value.rounded(), abs(value) < 1e15 { return Int(value) }
        return nil
    }
}
