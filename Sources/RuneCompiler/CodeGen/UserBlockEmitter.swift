import Foundation
import RuneFrontEnd
import RuneManifest
import RuneModels

/// Compiles a user's processing block (`PROC_BLOCK<F32[4],F32[4]> gain ./gain.c --gain 2`) as its
/// own translation unit against `Runtime/include/rune_block.h`, and calls it through that API.
struct UserBlockEmitter {
    var path: String
    var symbol: String
    var inputs: [(buffer: String, type: TensorType)]
    var outputs: [(buffer: String, type: TensorType)]
    var arguments: ResolvedArguments

    func emit() -> ProcBlockCode {
        let entry = "\(symbol)_run"
        var lines: [String] = []
        lines.append("int32_t \(entry)(const rune_block_arguments *arguments, const rune_tensor *inputs, uint32_t input_count, rune_tensor *outputs, uint32_t output_count);")
        func dimensions(_ name: String, _ type: TensorType) -> String {
            CLiteral.array("static const uint32_t", name, type.dimensions.map(String.init))
        }
        for (index, input) in inputs.enumerated() { lines.append(dimensions("\(symbol)_in\(index)_dims", input.type)) }
        for (index, output) in outputs.enumerated() { lines.append(dimensions("\(symbol)_out\(index)_dims", output.type)) }
        if !arguments.entries.isEmpty {
            lines.append("static const rune_block_argument \(symbol)_argument_items[\(arguments.entries.count)] = {")
            for entry in arguments.entries {
                lines.append("    {\(entry.key.cStringLiteral), \(entry.value.text.cStringLiteral)},")
            }
            lines.append("};")
        }
        let items = arguments.entries.isEmpty ? "NULL" : "\(symbol)_argument_items"
        lines.append("static const rune_block_arguments \(symbol)_arguments = {\(items), \(arguments.entries.count)};")
        let inputTensors = inputs.enumerated().map { index, input in
            "{(void *)\(input.buffer), RUNE_\(input.type.elementType.name.uppercased()), \(input.type.dimensions.count), \(symbol)_in\(index)_dims}"
        }
        let outputTensors = outputs.enumerated().map { index, output in
            "{(void *)\(output.buffer), RUNE_\(output.type.elementType.name.uppercased()), \(output.type.dimensions.count), \(symbol)_out\(index)_dims}"
        }
        lines.append("static int32_t \(symbol)(void) {")
        lines.append("    const rune_tensor inputs[\(max(1, inputs.count))] = {\(inputTensors.joined(separator: ", "))};")
        lines.append("    rune_tensor outputs[\(max(1, outputs.count))] = {\(outputTensors.joined(separator: ", "))};")
        lines.append("    return \(entry)(&\(symbol)_arguments, inputs, \(inputs.count), outputs, \(outputs.count));")
        lines.append("}")
        return ProcBlockCode(
            includes: ["include/rune_block.h"],
            declarations: lines.joined(separator: "\n"),
            call: "\(symbol)()")
    }

    /// The user's C file, compiled as its own translation unit, its entry point renamed to the
    /// one `emit` calls, and confined to its folder.
    var unit: BuildPlan.TranslationUnit {
        BuildPlan.TranslationUnit(path: path, source: nil, definitions: ["rune_block_run=\(symbol)_run"],
                                  confinement: (path as NSString).deletingLastPathComponent)
    }
}
