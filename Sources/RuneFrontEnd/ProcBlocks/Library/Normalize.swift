import RuneManifest

/// `normalize`: rescales the whole tensor onto [0, 1] by its own minimum and maximum.
struct Normalize: ProcBlock {
    let name = "normalize"
    let summary = "rescales a tensor so its smallest element is 0 and its largest 1"
    let schema = ArgumentSchema.none

    func outputTypes(inputs: [TensorType], arguments: ResolvedArguments,
                     declared: [TensorType]?) throws(ProcBlockTypeError) -> [TensorType] {
        [try BlockTyping.single(inputs, BlockTyping.numeric)]
    }

    func emit(_ use: ProcBlockUse) -> ProcBlockCode {
        let input = use.inputs[0]
        return ProcBlockCode(
            includes: ["blocks/normalize.h"],
            call: "rune_block_normalize_\(input.type.elementType.name)(\(input.buffer), \(use.outputs[0].buffer), \(input.type.elementCount))")
    }
}
