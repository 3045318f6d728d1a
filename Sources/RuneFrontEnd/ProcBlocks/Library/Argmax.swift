import RuneManifest

/// `argmax`: the index of the largest element.
struct Argmax: ProcBlock {
    let name = "argmax"
    let summary = "the index of the largest element (the first, if several are equal)"
    let schema = ArgumentSchema.none

    func outputTypes(inputs: [TensorType], arguments: ResolvedArguments,
                     declared: [TensorType]?) throws(ProcBlockTypeError) -> [TensorType] {
        _ = try BlockTyping.single(inputs, [.f32])
        return [TensorType(.u32, [1])]
    }

    func emit(_ use: ProcBlockUse) -> ProcBlockCode {
        let input = use.inputs[0]
        return ProcBlockCode(
            includes: ["blocks/argmax.h"],
            call: "rune_block_argmax(\(input.buffer), \(input.type.elementCount), \(use.outputs[0].buffer))")
    }
}
