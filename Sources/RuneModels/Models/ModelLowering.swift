import RuneManifest

/// A model lowered to kernel calls over planned memory: what the C emitter prints.
struct LoweredModel: Sendable {
    enum Storage: Equatable, Sendable {
        case input(Int)
        case output(Int)
        case arena(offset: Int)
        case constant
        case state
    }

    var model: TFLiteModel
    var steps: [KernelStep]
    /// Where each tensor lives; tensors that share storage (views) map to the same place. Every
    /// tensor a step names has an entry.
    var storage: [Int: Storage]
    /// Arena offset of the scratch buffer of each step that asks for one, by step index.
    var scratchOffsets: [Int: Int]
    var arenaBytes: Int
    /// Constant tensors embedded as read-only data, in first-use order.
    var constants: [Int]
    /// Variable tensors (persistent state).
    var states: [Int]
    /// Constants emitted transposed for the kernels that read them so (WeightPacking).
    var packings: [Int: WeightPacking] = [:]
    /// Constants emitted in a second layout for the Cortex-M DSP kernels, under
    /// `#ifdef RUNE_KERNELS_DSP` (DSPWeightLayout).
    var dspLayouts: [Int: DSPWeightLayout] = [:]

    var weightBytes: Int {
        constants.reduce(0) { $0 + (model.tensors[$1].byteCount + 15) / 16 * 16 }
    }
}

/// Lowers a model's operators to kernel steps, aliases views, and plans the arena.
struct ModelLowering {
    let model: TFLiteModel

    /// One line per supported operator, for error messages.
    static let supportedSummary = "ADD, AVERAGE_POOL_2D, CONCATENATION, CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE, EXPAND_DIMS, "
        + "FULLY_CONNECTED (float32, int8, uint8, hybrid), LOGISTIC, MAX_POOL_2D, MEAN, MUL, PAD, PADV2, QUANTIZE, RELU, RELU6, "
        + "RELU_N1_TO_1, RESHAPE, SOFTMAX, SQUEEZE, SUB, SVDF (int8), TANH, on float32, int8 and uint8 tensors"

    static let viewOperators: Set<Int32> = [BuiltinOperator.reshape, BuiltinOperator.squeeze, BuiltinOperator.expandDims]

    func lower() throws(ModelError) -> LoweredModel {
        let context = LoweringContext(model: model)
        guard model.subgraphCount == 1 else {
            throw ModelError("model '\(model.path)' has \(model.subgraphCount) subgraphs; runec compiles models with one")
        }
        for index in model.inputs + model.outputs {
            let tensor = model.tensors[index]
            guard tensor.type.elementType != nil else {
                throw ModelError("model '\(model.path)': tensor '\(tensor.name)' of type \(tensor.type.name) cannot be a model input or output")
            }
        }
        // Union-find over tensors that share one buffer (views).
        var parent = Array(model.tensors.indices)
        func root(_ tensor: Int) -> Int {
            var current = tensor
            while parent[current] != current { current = parent[current] }
            return current
        }
        let inputs = Set(model.inputs)
        let outputs = Set(model.outputs)
        func isInterface(_ group: Int) -> (input: Bool, output: Bool) {
            let members = model.tensors.indices.filter { root($0) == group }
            return (members.contains { inputs.contains($0) }, members.contains { outputs.contains($0) })
        }

        var steps: [KernelStep] = []
        for op in model.operators {
            if ModelLowering.viewOperators.contains(op.code) {
                let source = try context.input(op, 0)
                let result = try context.output(op)
                guard source.byteCount == result.byteCount, source.type == result.type else {
                    throw context.error(op, "changes \(context.describe(source)) into \(context.describe(result))")
                }
                let (sourceIsInput, sourceIsOutput) = isInterface(root(source.index))
                let resultIsOutput = outputs.contains(result.index)
                // Caller-owned buffers cannot be merged with each other, and constants are not views.
                if source.isConstant || (resultIsOutput && (sourceIsInput || sourceIsOutput)) {
                    steps.append(KernelStep(node: op.index, comment: context.comment(op) + " (copied)",
                                            call: .copy(source: source.index, destination: result.index, bytes: result.byteCount)))
                } else {
                    parent[root(result.index)] = root(source.index)
                }
                continue
            }
            steps.append(KernelStep(node: op.index, comment: context.comment(op), call: try lower(op, context)))
        }
        // A model output that is also an input (or a constant) still needs its own copy.
        for (position, output) in model.outputs.enumerated() {
            let group = root(output)
            let groupWritten = steps.contains { step in
                step.call.tensors.contains { $0.access != .read && root($0.index) == group }
            }
            if !groupWritten {
                let tensor = model.tensors[output]
                if tensor.isConstant || inputs.contains(group) || isInterface(group).input {
                    steps.append(KernelStep(node: nil, comment: "model output \(position) is \(tensor.isConstant ? "a constant" : "an input"): copied",
                                            call: .copyToModelOutput(source: tensor.isConstant ? output : group, position: position,
                                                                     bytes: tensor.byteCount)))
                }
            }
        }

        // Storage of every group.
        var storage: [Int: LoweredModel.Storage] = [:]
        for (position, index) in model.inputs.enumerated() { storage[root(index)] = .input(position) }
        for (position, index) in model.outputs.enumerated() where storage[root(index)] == nil {
            storage[root(index)] = .output(position)
        }
        var states: [Int] = []
        for tensor in model.tensors where tensor.isVariable {
            storage[root(tensor.index)] = .state
            states.append(tensor.index)
        }
        let packed = WeightPacking.apply(to: steps, model: model)
        steps = packed.steps
        var constants: [Int] = []
        for step in steps {
            for (index, _) in step.call.tensors where model.tensors[index].isConstant && !constants.contains(index) {
                constants.append(index)
                storage[index] = .constant
            }
        }

        // Lifetimes of arena groups and scratch, then the plan.
        var buffers: [MemoryPlanner.Buffer] = []
        var owners: [(group: Int?, step: Int?)] = []
        var groupBuffer: [Int: Int] = [:]
        for (stepIndex, step) in steps.enumerated() {
            for (tensor, _) in step.call.tensors {
                let group = root(tensor)
                guard storage[group] == nil, storage[tensor] == nil else { continue }
                if let existing = groupBuffer[group] {
                    buffers[existing].lastUse = stepIndex
                } else {
                    guard step.call.tensors.contains(where: { $0.access != .read && root($0.index) == group }) else {
                        throw ModelError("model '\(model.path)': tensor '\(model.tensors[tensor].name)' is read by node \(step.node) before any operator writes it")
                    }
                    groupBuffer[group] = buffers.count
                    buffers.append(.init(size: model.tensors[group].byteCount, firstUse: stepIndex, lastUse: stepIndex))
                    owners.append((group, nil))
                }
            }
            if step.call.scratchBytes > 0 {
                buffers.append(.init(size: step.call.scratchBytes, firstUse: stepIndex, lastUse: stepIndex))
                owners.append((nil, stepIndex))
            }
        }
        let (offsets, arenaBytes) = MemoryPlanner().plan(buffers)
        var scratchOffsets: [Int: Int] = [:]
        for (index, owner) in owners.enumerated() {
            if let group = owner.group { storage[group] = .arena(offset: offsets[index]) }
            if let step = owner.step { scratchOffsets[step] = offsets[index] }
        }
        // Every member of a group shares its storage.
        for tensor in model.tensors.indices where storage[tensor] == nil {
            if let shared = storage[root(tensor)] { storage[tensor] = shared }
        }
        // The contract with the emitter: every tensor a call names has a place.
        for (stepIndex, step) in steps.enumerated() {
            for (tensor, _) in step.call.tensors where storage[tensor] == nil {
                preconditionFailure("node \(step.node.map(String.init) ?? "copy") (step \(stepIndex)) uses tensor \(tensor), which was not planned")
            }
            precondition(step.call.scratchBytes == 0 || scratchOffsets[stepIndex] != nil, "step \(stepIndex)'s scratch was not planned")
        }
        return LoweredModel(model: model, steps: steps, storage: storage, scratchOffsets: scratchOffsets,
                            arenaBytes: arenaBytes, constants: constants, states: states, packings: packed.packings,
                            dspLayouts: DSPWeightLayout.find(in: steps, model: model))
    }

    private func lower(_ op: TFLiteModel.Operator, _ context: LoweringContext) throws(ModelError) -> KernelCall {
        switch op.code {
        case BuiltinOperator.conv2D: return try context.convolution(op, depthwise: false)
        case BuiltinOperator.depthwiseConv2D: return try context.convolution(op, depthwise: true)
        case BuiltinOperator.averagePool2D: return try context.pool(op, average: true)
        case BuiltinOperator.maxPool2D: return try context.pool(op, average: false)
        case BuiltinOperator.fullyConnected: return try context.fullyConnected(op)
        case BuiltinOperator.softmax: return try context.softmax(op)
        case BuiltinOperator.relu: return try context.relu(op, low: 0, high: .greatestFiniteMagnitude)
        case BuiltinOperator.relu6: return try context.relu(op, low: 0, high: 6)
        case BuiltinOperator.reluN1To1: return try context.relu(op, low: -1, high: 1)
        case BuiltinOperator.logistic: return try context.sigmoidLike(op, tanh: false)
        case BuiltinOperator.tanh: return try context.sigmoidLike(op, tanh: true)
        case BuiltinOperator.add: return try context.elementwise(op, kind: .add)
        case BuiltinOperator.sub: return try context.elementwise(op, kind: .sub)
        case BuiltinOperator.mul: return try context.elementwise(op, kind: .mul)
        case BuiltinOperator.quantize: return try context.quantize(op)
        case BuiltinOperator.dequantize: return try context.dequantize(op)
        case BuiltinOperator.pad, BuiltinOperator.padV2: return try context.pad(op)
        case BuiltinOperator.mean: return try context.mean(op)
        case BuiltinOperator.concatenation: return try context.concatenation(op)
        case BuiltinOperator.svdf: return try context.svdf(op)
        default:
            throw ModelError("model '\(model.path)': operator \(op.name) (node \(op.index)) is not supported; runec supports "
                             + ModelLowering.supportedSummary)
        }
    }
}
