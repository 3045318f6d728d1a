import Foundation

/// What `runec model-info` prints about a model: operators, tensors, weights and the planned
/// arena.
public struct ModelReport {
    public let text: String
    public let json: String

    public init(bytes: [UInt8], path: String) throws {
        let model = try TFLiteModel(bytes: bytes, path: path)
        var counts: [String: Int] = [:]
        for op in model.operators { counts[op.name, default: 0] += 1 }
        var lowered: LoweredModel?
        var problem: String?
        do {
            lowered = try ModelLowering(model: model).lower()
        } catch {
            problem = error.message
        }
        func describe(_ index: Int) -> String {
            let tensor = model.tensors[index]
            var text = "\(tensor.name): \(tensor.type.name.lowercased())[\(tensor.shape.map(String.init).joined(separator: ","))]"
            if let q = tensor.quantization, !q.isPerChannel { text += " scale \(q.scale) zero point \(q.zeroPoint)" }
            return text
        }
        var lines = ["\(path): TFLite schema version \(model.version), \(model.operators.count) operators, \(model.tensors.count) tensors"]
        lines.append("inputs:")
        lines += model.inputs.map { "  " + describe($0) }
        lines.append("outputs:")
        lines += model.outputs.map { "  " + describe($0) }
        lines.append("operators:")
        lines += counts.sorted { $0.key < $1.key }.map { "  \($0.key) x\($0.value)" }
        if let lowered {
            lines.append("weights: \(lowered.weightBytes) bytes in \(lowered.constants.count) tensors")
            lines.append("arena: \(lowered.arenaBytes) bytes (planned at compile time; inputs and outputs are the caller's)")
            lines.append("state: \(lowered.states.reduce(0) { $0 + model.tensors[$1].byteCount }) bytes")
        } else if let problem {
            lines.append("cannot compile: \(problem)")
        }
        text = lines.joined(separator: "\n") + "\n"

        var object: [String: Any] = [
            "path": path,
            "operators": counts,
            "tensors": model.tensors.count,
            "inputs": model.inputs.map { ["name": model.tensors[$0].name, "type": model.tensors[$0].type.name.lowercased(), "shape": model.tensors[$0].shape] },
            "outputs": model.outputs.map { ["name": model.tensors[$0].name, "type": model.tensors[$0].type.name.lowercased(), "shape": model.tensors[$0].shape] },
        ]
        if let lowered {
            object["weight_bytes"] = lowered.weightBytes
            object["arena_bytes"] = lowered.arenaBytes
            object["supported"] = true
        } else {
            object["supported"] = false
            object["error"] = problem ?? ""
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        json = String(decoding: data, as: UTF8.self) + "\n"
    }
}
