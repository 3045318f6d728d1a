/// A file the compiler reads, kept so diagnostics can quote its lines.
public struct SourceFile: Sendable {
    /// The path as the user wrote it; diagnostics print this.
    public let path: String
    public let text: String
    /// UTF-8 offsets where each line starts.
    private let lineStarts: [Int]
    private let utf8: [UInt8]

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        self.utf8 = Array(text.utf8)
        var starts = [0]
        for (offset, byte) in utf8.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
        self.lineStarts = starts
    }

    public var lineCount: Int { lineStarts.count }

    /// The text of 1-based `line`, without its line terminator.
    public func line(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : utf8.count
        if end > start, utf8[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: utf8[start..<max(start, end)], as: UTF8.self)
    }

    /// The location of a UTF-8 offset into `text`.
    public func location(ofOffset offset: Int) -> SourceLocation {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        let column = String(decoding: utf8[lineStarts[low]..<min(offset, utf8.count)], as: UTF8.self).count + 1
        return SourceLocation(file: path, line: low + 1, column: column)
    }
}

/// A 1-based line and column (in characters) in a file.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible, Comparable {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

/// A run of characters on one line: where a diagnostic points.
public struct SourceRange: Hashable, Sendable {
    public var start: SourceLocation
    /// Characters covered, at least 1.
    public var length: Int

    public init(_ start: SourceLocation, length: Int = 1) {
        self.start = start
        self.length = max(1, length)
    }
}

/// A value and the source it came from.
public struct Located<Value> {
    public var value: Value
    public var range: SourceRange

    public init(_ value: Value, at range: SourceRange) {
        self.value = value
        self.range = range
    }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Sendable where Value: Sendable {}
