import ArgumentParser
import Foundation
import RuneCompiler
import RuneFiles
import RuneFrontEnd
import RuneManifest
import RuneModels

/// `runec model-info`: what a model holds and what it costs.
struct ModelInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model-info",
        abstract: "Describe a TFLite model: operators, tensors, weight bytes and the planned arena.")

    @Argument(help: "A .tflite file.")
    var model: String

    @Flag(help: "Print JSON on stdout.")
    var json = false

    func run() throws {
        let data: [UInt8]
        do {
            data = try BoundedFile.read(model, limit: RuneLimits.maxModelBytes, regularFileOnly: true)
        } catch {
            let code = error == .missing ? DiagnosticCode.missingFile : .invalidModel
            Terminal.standardError.write("error[\(code)]: cannot read '\(model)': \(error)\n")
            throw ExitCode(1)
        }
        do {
            let report = try ModelReport(bytes: data, path: model)
            print(json ? report.json : report.text, terminator: "")
        } catch {
            Terminal.standardError.write("error[\(DiagnosticCode.invalidModel)]: \(error)\n")
            throw ExitCode(1)
        }
    }
}
