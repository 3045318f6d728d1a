import Foundation

/// Prints a lowered model as C: read-only weights, one arena, persistent state, and a function
/// with one kernel call per operator.
struct ModelCEmitter {
    let lowered: LoweredModel
    /// Prefix of every emitted name.
    let symbol: String

    func emit() -> (includes: [String], definitions: String) {
        let model = lowered.model
        var includes: [String] = []
        for step in lowered.steps {
            for file in step.includes where !includes.contains(file) { includes.append(file) }
        }
        var text: [String] = []
        let inputs = model.inputs.map { describe(model.tensors[$0]) }.joined(separator: ", ")
        let outputs = model.outputs.map { describe(model.tensors[$0]) }.joined(separator: ", ")
        text.append("""
            /*
             * Model \(model.path.cComment): \(lowered.steps.count) kernel calls,
             * \(lowered.weightBytes) bytes of weights, \(lowered.arenaBytes) bytes of arena.
             * Inputs: \(inputs.cComment). Outputs: \(outputs.cComment).
             */
            """)
        for index in lowered.constants {
            text.append(constant(model.tensors[index]))
        }
        for index in lowered.states {
            text.append(state(model.tensors[index]))
        }
        text.append("static uint8_t \(symbol)_arena[\(max(16, lowered.arenaBytes))] __attribute__((aligned(16)));")
        for step in lowered.steps {
            for declaration in step.declarations {
                text.append(substitute(declaration, step: step))
            }
        }
        var body: [String] = []
        for step in lowered.steps {
            body.append("    /* \(step.comment.cComment) */")
            body.append("    " + substitute(step.call, step: step))
        }
        text.append("""
            static int32_t \(symbol)(const void *const *inputs, void *const *outputs) {
                uint8_t *const arena = \(symbol)_arena;
                (void)arena;
                (void)inputs;
                (void)outputs;
            \(body.joined(separator: "\n"))
                return RUNE_OK;
            }
            """)
        return (includes, text.joined(separator: "\n\n"))
    }

    private func describe(_ tensor: TFLiteModel.Tensor) -> String {
        "\(tensor.type.name.lowercased())[\(tensor.shape.map(String.init).joined(separator: ","))]"
    }

    private func stepPrefix(_ step: KernelStep) -> String {
        step.node >= 0 ? "\(symbol)_n\(step.node)" : "\(symbol)_copy"
    }

    private func substitute(_ text: String, step: KernelStep) -> String {
        var result = ""
        var characters = Substring(text)
        while let dollar = characters.firstIndex(of: "$") {
            result += characters[..<dollar]
            characters = characters[characters.index(after: dollar)...]
            guard let kind = characters.first else { break }
            characters = characters.dropFirst()
            switch kind {
            case "P":
                result += stepPrefix(step)
            case "S":
                result += "(arena + \(lowered.scratchOffsets[lowered.steps.firstIndex { $0.node == step.node && $0.call == step.call }!] ?? 0))"
            case "T":
                let digits = characters.prefix { $0.isNumber }
                characters = characters.dropFirst(digits.count)
                result += expression(Int(digits)!)
            default:
                result += "$\(kind)"
            }
        }
        return result + characters
    }

    private func expression(_ index: Int) -> String {
        let tensor = lowered.model.tensors[index]
        let type = tensor.type.cType ?? "uint8_t"
        switch lowered.storage[index] {
        case .input(let position)?: return "((\(type) *)inputs[\(position)])"
        case .output(let position)?: return "((\(type) *)outputs[\(position)])"
        case .arena(let offset)?: return "((\(type) *)(arena + \(offset)))"
        case .constant?: return "\(symbol)_t\(index)"
        case .state?: return "\(symbol)_s\(index)"
        case nil: return "((\(type) *)arena)"
        }
    }

    /// A constant tensor as a typed, aligned, read-only array.
    private func constant(_ tensor: TFLiteModel.Tensor) -> String {
        let type = tensor.type.cType ?? "uint8_t"
        let values = literals(tensor)
        return "/* \(tensor.name.cComment): \(describe(tensor)) */\n"
            + "static const \(type) \(symbol)_t\(tensor.index)[\(max(1, values.count))] __attribute__((aligned(16))) = {\n"
            + CLiteral.list(values.isEmpty ? ["0"] : values, perLine: tensor.type == .float32 ? 6 : 16) + "\n};"
    }

    /// Persistent state, reset to its zero point (int8) or zero, as TFLite Micro resets it.
    private func state(_ tensor: TFLiteModel.Tensor) -> String {
        let type = tensor.type.cType ?? "uint8_t"
        let initial: String
        if tensor.data != nil {
            initial = "{\n" + CLiteral.list(literals(tensor)) + "\n}"
        } else if tensor.type == .int8, let zero = tensor.quantization?.zeroPoint, zero != 0 {
            initial = "{\n" + CLiteral.list(Array(repeating: String(zero), count: tensor.elementCount)) + "\n}"
        } else {
            initial = "{0}"
        }
        return "/* \(tensor.name.cComment): state \(describe(tensor)) */\n"
            + "static \(type) \(symbol)_s\(tensor.index)[\(max(1, tensor.elementCount))] __attribute__((aligned(16))) = \(initial);"
    }

    private func literals(_ tensor: TFLiteModel.Tensor) -> [String] {
        guard let data = tensor.data else { return [] }
        let bytes = Array(data)
        let count = tensor.elementCount
        func word(_ index: Int, _ width: Int) -> UInt64 {
            var value: UInt64 = 0
            for byte in 0..<width { value |= UInt64(bytes[index * width + byte]) << (8 * UInt64(byte)) }
            return value
        }
        switch tensor.type {
        case .float32: return (0..<count).map { CLiteral.float(Float(bitPattern: UInt32(word($0, 4)))) }
        case .int8: return (0..<count).map { String(Int8(bitPattern: bytes[$0])) }
        case .uint8, .bool: return (0..<count).map { String(bytes[$0]) }
        case .int16: return (0..<count).map { String(Int16(truncatingIfNeeded: word($0, 2))) }
        case .uint16: return (0..<count).map { String(UInt16(truncatingIfNeeded: word($0, 2))) }
        case .int32: return (0..<count).map { CLiteral.int32(Int32(truncatingIfNeeded: word($0, 4))) }
        case .uint32: return (0..<count).map { "\(UInt32(truncatingIfNeeded: word($0, 4)))u" }
        case .int64: return (0..<count).map { "\(Int64(bitPattern: word($0, 8)))ll" }
        case .uint64: return (0..<count).map { "\(word($0, 8))ull" }
        default: return bytes.map { String($0) }
        }
    }
}
