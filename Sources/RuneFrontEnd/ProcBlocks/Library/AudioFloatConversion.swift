import RuneManifest

/// `audio_float_conversion`: 16-bit samples onto [-1, 1].
struct AudioFloatConversion: ProcBlock {
    let name = "audio_float_conversion"
    let summary = "converts 16-bit samples to f32 in [-1, 1] (x / 32767)"
    let schema = ArgumentSchema.none

    func outputTypes(inputs: [TensorType], arguments: ResolvedArguments,
                     declared: [TensorType]?) throws(ProcBlockTypeError) -> [TensorType] {
        let input = try BlockTyping.single(inputs, [.i16])
        return [TensorType(.f32, input.dimensions)]
    }

    func emit(_ use: ProcBlockUse) -> ProcBlockCode {
        let input = use.inputs[0]
        return ProcBlockCode(
            includes: ["blocks/audio_float_conversion.h"],
            call: "rune_block_audio_float_conversion(\(input.buffer), \(use.outputs[0].buffer), \(input.type.elementCount))")
    }
}
