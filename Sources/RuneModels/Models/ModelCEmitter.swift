import Foundation

/// Prints a lowered model as C: read-only weights, one arena, persistent state, and a function
/// with one kernel call per operator. The only place kernel calls become C text.
struct ModelCEmitter {
    let lowered: LoweredModel
    /// Prefix of every emitted name.
    let symbol: String

    func emit() -> (includes: [String], definitions: String) {
        let model = lowered.model
        var includes: [String] = []
        for step in lowered.steps where !includes.contains(step.call.header) { includes.append(step.call.header) }
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
        for index in lowered.constants { text.append(constant(model.tensors[index])) }
        for index in lowered.states { text.append(state(model.tensors[index])) }
        text.append("static uint8_t \(symbol)_arena[\(max(16, lowered.arenaBytes))] __attribute__((aligned(16)));")
        var body: [String] = []
        for (index, step) in lowered.steps.enumerated() {
            let prefix = "\(symbol)_n\(index)"
            text += declarations(step.call, prefix: prefix)
            body.append("    /* \(step.comment.cComment) */")
            if dspLayout(of: step.call) != nil {
                body += ["#ifdef RUNE_KERNELS_DSP", "    " + statement(step.call.onDSPLayout, prefix: prefix, step: index),
                         "#else", "    " + statement(step.call, prefix: prefix, step: index), "#endif"]
            } else {
                body.append("    " + statement(step.call, prefix: prefix, step: index))
            }
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

    // MARK: Parameter blocks

    /// File-scope C a call needs: its parameter block and the arrays the block points to.
    func declarations(_ call: KernelCall, prefix: String) -> [String] {
        switch call {
        case .convolution(_, _, let params, _, _, _, _), .pooling(_, let params, _, _):
            return block(params, prefix)
        case .fullyConnected(_, let params, _, _, _, _, _): return block(params, prefix)
        case .elementwise(_, let params, _, _, _): return block(params, prefix)
        case .softmax(_, let params, _, _): return block(params, prefix)
        case .activation(_, let params, _, _): return block(params, prefix)
        case .quantize(_, let params, _, _): return block(params, prefix)
        case .mean(_, let params, _, _, _): return block(params, prefix)
        case .svdf(_, let params, _, _, _, _, _, _, _): return block(params, prefix)
        case .pad(let params, let value, let input, _):
            let tensor = lowered.model.tensors[input]
            let literal: String
            switch value {
            case .float(let float): literal = CLiteral.float(float)
            case .integer(let integer): literal = String(integer)
            }
            return block(params, prefix) + ["static const \(cType(tensor)) \(prefix)_value = \(literal);"]
        case .concatenation(_, let slices, _, _):
            return [CLiteral.array("static const int32_t", "\(prefix)_slices", slices.map(String.init))]
        case .copy, .copyToModelOutput:
            return []
        }
    }

    /// `static const rune_conv_params prefix = {...};`, after the arrays its pointer members name.
    func block<P: KernelParameters>(_ params: P, _ prefix: String) -> [String] {
        var tables: [String] = []
        let lines = params.lines.map { line in
            line.map { field -> String in
                let value: String
                switch field.value {
                case .int(let int): value = String(int)
                case .int32(let int): value = CLiteral.int32(int)
                case .float(let float): value = CLiteral.float(float)
                case .double(let double): value = CLiteral.double(double)
                case .inline(let values): value = CLiteral.initializer(values.map(String.init))
                case .int32Table(let values):
                    value = "\(prefix)_\(field.name)"
                    tables.append(CLiteral.array("static const int32_t", value, values.map(CLiteral.int32), perLine: 8))
                case .floatTable(let values):
                    value = "\(prefix)_\(field.name)"
                    tables.append(CLiteral.array("static const float", value, values.map(CLiteral.float), perLine: 6))
                }
                return ".\(field.name) = \(value)"
            }.joined(separator: ", ")
        }
        return tables + ["static const \(P.cType) \(prefix) = " + CLiteral.initializer(lines, perLine: 1) + ";"]
    }

    // MARK: Calls

    /// The call statement.
    func statement(_ call: KernelCall, prefix: String, step: Int) -> String {
        func t(_ index: Int) -> String { expression(index) }
        func optional(_ index: Int?) -> String { index.map(t) ?? "NULL" }
        func scratch(_ type: String) -> String {
            guard let offset = lowered.scratchOffsets[step] else {
                preconditionFailure("step \(step) uses scratch memory the planner did not place")
            }
            return "(\(type) *)(arena + \(offset))"
        }
        switch call {
        case .convolution(let kernel, _, _, let input, let filter, let bias, let output):
            return "\(kernel)(&\(prefix), \(t(input)), \(t(filter)), \(optional(bias)), \(t(output)));"
        case .fullyConnected(let kernel, _, let input, let filter, let bias, let output, let scratchBytes):
            let extra = scratchBytes > 0 ? ", " + scratch("int8_t") : ""
            return "\(kernel)(&\(prefix), \(t(input)), \(t(filter)), \(optional(bias)), \(t(output))\(extra));"
        case .pooling(let kernel, _, let input, let output), .softmax(let kernel, _, let input, let output),
             .activation(let kernel, _, let input, let output), .quantize(let kernel, _, let input, let output):
            return "\(kernel)(&\(prefix), \(t(input)), \(t(output)));"
        case .elementwise(let kernel, _, let a, let b, let output):
            return "\(kernel)(&\(prefix), \(t(a)), \(t(b)), \(t(output)));"
        case .mean(let kernel, _, let input, let output, let scratchBytes):
            let extra = scratchBytes > 0 ? ", " + scratch("int32_t") : ""
            return "\(kernel)(&\(prefix), \(t(input)), \(t(output))\(extra));"
        case .svdf(let kernel, _, let input, let feature, let time, let bias, let state, let output, _):
            return "\(kernel)(&\(prefix), \(t(input)), \(t(feature)), \(t(time)), \(optional(bias)), \(t(state)), \(t(output)), \(scratch("int32_t")));"
        case .pad(_, _, let input, let output):
            return "rune_pad(&\(prefix), \(t(input)), &\(prefix)_value, \(t(output)));"
        case .concatenation(let outer, _, let inputs, let output):
            let parts = CLiteral.initializer(inputs.map(t))
            return "{ const void *const parts[\(inputs.count)] = \(parts); rune_concatenate(\(outer), \(inputs.count), parts, \(prefix)_slices, \(t(output))); }"
        case .copy(let source, let destination, let bytes):
            return "rune_copy(\(t(source)), \(t(destination)), \(bytes));"
        case .copyToModelOutput(let source, let position, let bytes):
            return "rune_copy(\(t(source)), (void *)outputs[\(position)], \(bytes));"
        }
    }

    /// A tensor's buffer, typed. Every tensor a call names was placed when the model was
    /// lowered; one without a place is a bug in the planner, not something to paper over.
    func expression(_ index: Int) -> String {
        let tensor = lowered.model.tensors[index]
        let type = cType(tensor)
        switch lowered.storage[index] {
        case .input(let position)?: return "((\(type) *)inputs[\(position)])"
        case .output(let position)?: return "((\(type) *)outputs[\(position)])"
        case .arena(let offset)?: return "((\(type) *)(arena + \(offset)))"
        case .constant?: return "\(symbol)_t\(index)"
        case .state?: return "\(symbol)_s\(index)"
        case nil: preconditionFailure("tensor \(index) '\(tensor.name)' is used by a kernel call but was never placed")
        }
    }

    private func cType(_ tensor: TFLiteModel.Tensor) -> String {
        guard let type = tensor.type.cType else {
            preconditionFailure("tensor '\(tensor.name)' of type \(tensor.type.name) reached code generation")
        }
        return type
    }

    private func describe(_ tensor: TFLiteModel.Tensor) -> String {
        "\(tensor.type.name.lowercased())[\(tensor.shape.map(String.init).joined(separator: ","))]"
    }

    // MARK: Tensors

    /// The DSP layout of the filter `call` reads, if it has one (DSPWeightLayout).
    func dspLayout(of call: KernelCall) -> DSPWeightLayout? {
        guard case .convolution(_, _, _, _, let filter, _, _) = call else { return nil }
        return lowered.dspLayouts[filter]
    }

    /// A constant tensor as a typed, aligned, read-only array; one with a DSP layout as two,
    /// of which the preprocessor keeps one.
    private func constant(_ tensor: TFLiteModel.Tensor) -> String {
        guard let layout = lowered.dspLayouts[tensor.index] else { return portableConstant(tensor) }
        let name = "\(symbol)_t\(tensor.index)"
        return "#ifdef RUNE_KERNELS_DSP\n"
            + "/* \(tensor.name.cComment): \(describe(tensor)), unpacked for \(DSPWeightLayout.kernel) */\n"
            + CLiteral.array("static const int16_t", name, layout.lay(literals(tensor), zero: "0"), perLine: 16,
                             attributes: "__attribute__((aligned(16)))")
            + "\n#else\n" + portableConstant(tensor) + "\n#endif"
    }

    /// A constant in the layout every target but the DSP kernels reads: a packed one in its
    /// kernel's layout, and where that layout is conditional, both layouts under `#ifdef`.
    private func portableConstant(_ tensor: TFLiteModel.Tensor) -> String {
        let values = literals(tensor)
        func array(_ values: [String]) -> String {
            CLiteral.array("static const \(cType(tensor))", "\(symbol)_t\(tensor.index)", values,
                           perLine: tensor.type == .float32 ? 6 : 16, attributes: "__attribute__((aligned(16)))")
        }
        guard let packing = lowered.packings[tensor.index] else {
            return "/* \(tensor.name.cComment): \(describe(tensor)) */\n" + array(values)
        }
        let comment = "/* \(tensor.name.cComment): \(describe(tensor)), \(packing.description.cComment) */\n"
        guard let condition = packing.condition else { return comment + array(packing.pack(literals: values)) }
        return comment + "#ifdef \(condition)\n" + array(packing.pack(literals: values)) + "\n#else\n" + array(values) + "\n#endif"
    }

    /// Persistent state, reset to its zero point (int8) or zero, as TFLite Micro resets it.
    private func state(_ tensor: TFLiteModel.Tensor) -> String {
        let values: [String]
        if tensor.data != nil {
            values = literals(tensor)
        } else if tensor.type == .int8, let zero = tensor.quantization?.zeroPoint, zero != 0 {
            values = Array(repeating: String(zero), count: tensor.elementCount)
        } else {
            values = []
        }
        return "/* \(tensor.name.cComment): state \(describe(tensor)) */\n"
            + CLiteral.array("static \(cType(tensor))", "\(symbol)_s\(tensor.index)", values, perLine: 16,
                             attributes: "__attribute__((aligned(16)))")
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
        case .float64: return (0..<count).map { CLiteral.double(Double(bitPattern: word($0, 8))) }
        case .int8: return (0..<count).map { String(Int8(bitPattern: bytes[$0])) }
        case .uint8, .bool: return (0..<count).map { String(bytes[$0]) }
        case .int16: return (0..<count).map { String(Int16(truncatingIfNeeded: word($0, 2))) }
        case .uint16: return (0..<count).map { String(UInt16(truncatingIfNeeded: word($0, 2))) }
        case .int32: return (0..<count).map { CLiteral.int32(Int32(truncatingIfNeeded: word($0, 4))) }
        case .uint32: return (0..<count).map { "\(UInt32(truncatingIfNeeded: word($0, 4)))u" }
        case .int64: return (0..<count).map { CLiteral.int64(Int64(bitPattern: word($0, 8))) }
        case .uint64: return (0..<count).map { "\(word($0, 8))ull" }
        default: preconditionFailure("constant '\(tensor.name)' of type \(tensor.type.name) has no C element type")
        }
    }
}
