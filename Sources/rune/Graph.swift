import ArgumentParser
import Foundation
import RuneFiles
import RuneManifest
import RuneRuntime

/// `rune graph`: draw the pipeline a rune carries.
struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a rune's pipeline as Graphviz DOT or SVG.",
        discussion: """
            Stages are boxes (capabilities green, models blue, outputs orange), edges carry the \
            tensor types. The format follows the output file's extension (.dot or .svg) unless \
            --format is given; without -o the drawing goes to stdout.

            Examples:
              rune graph microspeech.rune -o microspeech.svg
              rune graph microspeech.rune --format dot | dot -Tpng > microspeech.png
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case dot, svg }

    @Argument(help: "The .rune file.")
    var rune: String

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Where to write the drawing.",
        discussion: "Written atomically; a path that is a folder, device, FIFO or link, or the rune itself, is refused.",
        valueName: "file"))
    var output: String?

    @Option(help: "dot or svg.")
    var format: Format?

    func run() throws {
        let data = try readRune(rune)
        let loaded: Rune
        do {
            loaded = try Rune(bytes: data)
        } catch {
            StandardError().write("error: \(error)\n")
            throw ExitCode(1)
        }
        guard let pipeline = loaded.pipeline else {
            StandardError().write("error: '\(rune)' has no 'rune.pipeline' section to draw\n")
            throw ExitCode(1)
        }
        let graph = PipelineGraph(pipeline: pipeline, title: URL(fileURLWithPath: rune).deletingPathExtension().lastPathComponent)
        let chosen = format ?? (output.map { $0.hasSuffix(".svg") ? .svg : .dot } ?? .dot)
        let text = chosen == .svg ? graph.svg : graph.dot
        if let output, output != "-" {
            do {
                try OutputFile.write(Array(text.utf8), to: output, inputs: [rune])
            } catch {
                StandardError().write("error: \(error)\n")
                throw ExitCode(1)
            }
        } else {
            print(text, terminator: "")
        }
    }
}
