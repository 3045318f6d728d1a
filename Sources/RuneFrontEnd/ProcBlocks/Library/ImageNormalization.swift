import RuneManifest

/// `image_normalization`: integer pixels onto [0, 1] by their type's range.
struct ImageNormalization: ProcBlock {
    let name = "image_normalization"
    let summary = "maps integer pixels onto [0, 1] in f32 by the range of their type (u8 255 -> 1.0)"
    let schema = ArgumentSchema.none

    func outputTypes(inputs: [TensorType], arguments: ResolvedArguments,
                     declared: [TensorType]?) throws(ProcBlockTypeError) -> [TensorType] {
        let input = try BlockTyping.single(inputs, [.u8, .i8, .u16, .i16, .u32, .i32])
        return [TensorType(.f32, input.dimensions)]
    }

    func emit(_ use: ProcBlockUse) -> ProcBlockCode {
        let input = use.inputs[0]
        return ProcBlockCode(
            includes: ["blocks/image_normalization.h"],
            call: "rune_block_image_normalization(\(BlockTyping.cEnumerator(input.type.elementType)), \(input.buffer), \(use.outputs[0].buffer), \(input.type.elementCount))")
    }
}
