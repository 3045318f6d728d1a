import Foundation
import RuneCompiler
import RuneFrontEnd
import RuneManifest
import RuneRuntime
import Testing

/// Labels reach generated C as string literals. Whatever their text (quotes, backslashes,
/// trigraphs, newlines, comment ends, NUL, UTF-8, very long), a `label` block must print each
/// exactly as given: compiled with runec in process and run on the host runtime.
@Suite struct HostileLabelTests {
    static let corpus: [String] = [
        "what??!", "??/", "a??/\nb", "??=define X 1", "??(??)??<??>??'??-", "?", "??", "???", "????/",
        "\"quoted\"", "\"", "\");\nint injected(void) { return 1; }\nstatic const char *x = (\"",
        "back\\slash", "trailing\\", "\\", "\\\\", "\\n", "\\0", "\\x41", "\\101", "\\u0041",
        "line\nbreak", "carriage\rreturn", "tab\there", "\u{0}", "a\u{0}b", "\u{1}7", "\u{7}9", "\u{7f}", "\u{1b}[31mred",
        "*/ int injected; /*", "/* comment */", "// line comment", "#define labels 0", "%s%n%d",
        "héllo", "日本語", "🙂", "\u{2028}", "mixed ??! \\ \" \n \u{0} é",
        String(repeating: "x??!\\\"\n", count: 2500),
    ]

    /// One RAW U32 index per label.
    final class Indices: CapabilitySource {
        let count: Int
        init(count: Int) { self.count = count }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws(RuneError) {
            for index in 0..<count { buffer.storeBytes(of: UInt32(index).littleEndian, toByteOffset: 4 * index, as: UInt32.self) }
        }
        var warning: String? { nil }
    }

    /// A YAML double-quoted scalar for `text`: control characters, DEL, C1 controls and line
    /// separators as `\\u` escapes (YAML forbids them raw), everything else as itself.
    static func yamlString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) || [0x2028, 0x2029, 0xfeff].contains(scalar.value):
                result += "\\u" + String(scalar.value, radix: 16).leftPadded(4)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    @Test func everyLabelPrintsExactlyAsGiven() throws {
        let labels = Self.corpus
        let yaml = """
            version: 1
            image: runicos/base
            pipeline:
              input:
                capability: RAW
                outputs: [{type: U32, dimensions: [\(labels.count)]}]
              label:
                proc-block: label
                inputs: [input]
                outputs: [{type: UTF8, dimensions: [\(labels.count)]}]
                args:
                  labels: [\(labels.map(Self.yamlString).joined(separator: ", "))]
              serial:
                out: serial
                inputs: [label]

            """
        let result = Compiler().compile(SourceFile(path: "/tmp/hostile-labels/Runefile.yml", text: yaml))
        try #require(result.succeeded, "\(result.renderedDiagnostics())")
        let rune = try Rune(bytes: result.artifact!)
        let instance = try RuneInstance(rune: rune, sources: [Indices(count: labels.count)])
        let records = try instance.run()
        try #require(records.count == 1)
        try #require(records[0].tensors.count == 1)
        guard case .strings(let printed) = records[0].tensors[0].elements else {
            Issue.record("the label block did not produce strings")
            return
        }
        #expect(printed.count == labels.count)
        for (label, bytes) in zip(labels, printed) {
            #expect(bytes == Array(label.utf8), "label \(label.debugDescription) printed as \(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
