/// Prints diagnostics the way rustc and swiftc do: a headline with the code, the location, the
/// source line with a caret under the problem, then notes and help.
///
/// ```
/// error[E0101]: unknown stage 'fft2'
///  --> Runefile:7:11
///   |
/// 7 | RUN audio fft2 model serial
///   |           ^^^^ not defined in this Runefile
///   |
///   = help: the stages are: audio, fft, model, serial
/// ```
public struct DiagnosticRenderer: Sendable {
    /// Files that diagnostics may quote, by path.
    public var sources: [String: SourceFile]
    /// ANSI colours, for terminals.
    public var colored: Bool

    public init(sources: [SourceFile], colored: Bool = false) {
        self.sources = Dictionary(sources.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        self.colored = colored
    }

    public func render(_ diagnostic: Diagnostic) -> String {
        var lines: [String] = []
        let severityColor = diagnostic.severity == .error ? "31" : diagnostic.severity == .warning ? "33" : "36"
        let headline = "\(diagnostic.severity.rawValue)[\(diagnostic.code.rawValue)]"
        lines.append(paint(headline, severityColor) + paint(": \(diagnostic.message)", "1"))

        let gutter = gutterWidth(diagnostic)
        if let range = diagnostic.range {
            lines += snippet(range, label: diagnostic.label, gutter: gutter, caretColor: severityColor)
        }
        for note in diagnostic.notes {
            if let range = note.range {
                lines.append(paint("note", "36") + ": \(note.message)")
                lines += snippet(range, label: nil, gutter: gutter, caretColor: "36")
            } else {
                lines.append(String(repeating: " ", count: gutter + 1) + paint("=", "34") + " note: \(note.message)")
            }
        }
        if let help = diagnostic.help {
            if diagnostic.range != nil {
                lines.append(String(repeating: " ", count: gutter + 1) + paint("|", "34"))
            }
            lines.append(String(repeating: " ", count: gutter + 1) + paint("=", "34") + " help: \(help)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Every diagnostic, then a summary line when there were errors or warnings.
    public func render(_ diagnostics: [Diagnostic]) -> String {
        var text = diagnostics.map { render($0) }.joined(separator: "\n")
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        if errors > 0 {
            let counted = errors == 1 ? "1 previous error" : "\(errors) previous errors"
            let suffix = warnings > 0 ? "; \(warnings) warning\(warnings == 1 ? "" : "s") emitted" : ""
            text += "\n" + paint("error", "31") + ": could not compile due to \(counted)\(suffix)\n"
        }
        return text
    }

    private func snippet(_ range: SourceRange, label: String?, gutter: Int, caretColor: String) -> [String] {
        let pad = String(repeating: " ", count: gutter)
        var lines = ["\(pad)\(paint("-->", "34")) \(range.start)"]
        guard let file = sources[range.start.file], range.start.line <= file.lineCount else { return lines }
        let (text, column) = expandTabs(file.line(range.start.line), column: range.start.column)
        let number = String(range.start.line)
        lines.append("\(pad) \(paint("|", "34"))")
        lines.append(String(repeating: " ", count: gutter - number.count) + paint(number, "34") + " "
                     + paint("|", "34") + (text.isEmpty ? "" : " \(text)"))
        let available = max(1, text.count - (column - 1))
        let carets = String(repeating: "^", count: min(range.length, available))
        var marker = "\(pad) \(paint("|", "34")) " + String(repeating: " ", count: column - 1) + paint(carets, caretColor)
        if let label { marker += " " + paint(label, caretColor) }
        lines.append(marker)
        return lines
    }

    private func gutterWidth(_ diagnostic: Diagnostic) -> Int {
        let lines = ([diagnostic.range] + diagnostic.notes.map(\.range)).compactMap { $0?.start.line }
        return String(lines.max() ?? 1).count + 1
    }

    /// Tabs become four spaces so the caret lines up.
    private func expandTabs(_ line: String, column: Int) -> (String, Int) {
        var text = ""
        var newColumn = column
        for (index, character) in line.enumerated() {
            if character == "\t" {
                text += "    "
                if index < column - 1 { newColumn += 3 }
            } else {
                text.append(character)
            }
        }
        return (text, newColumn)
    }

    private func paint(_ text: String, _ code: String) -> String {
        colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
