import RuneManifest

/// `softmax`: exp(x) / sum(exp(x)) over the whole tensor.
struct Softmax: ProcBlock {
    let name = "softmax"
    let summary = "turns scores into probabilities: exp(x) / sum(exp(x))"
    let schema = ArgumentSchema.none

    func outputTypes(inputs: [TensorType], arguments: ResolvedArguments,
                     declared: [TensorType]?) throws(ProcBlockTypeError) -> [TensorType] {
        [try BlockTyping.single(inputs, [.f32])]
    }

    func emit(_ use: ProcBlockUse) -> ProcBlockCode {
        let input = use.inputs[0]
        return ProcBlockCode(
            includes: ["blocks/softmax.h"],
            call: "rune_block_softmax(\(input.buffer), \(use.outputs[0].buffer), \(input.type.elementCount))")
    }
}
