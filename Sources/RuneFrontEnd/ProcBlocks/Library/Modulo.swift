import RuneManifest
import RuneModels

/// `modulo`: each element's remainder after division by `modulus` (f32 arithmetic).
struct Modulo: ProcBlock {
    let name = "modulo"
    let summary = "each element's remainder after division by --modulus, computed in f32"
    let schema = ArgumentSchema([
        Parameter("modulus", .float(-1e30...1e30), default: "1.0", summary: "the divisor; must not be 0"),
    ])

    func outputTypes(inputs: [TensorType], arguments: ResolvedArguments,
                     declared: [TensorType]?) throws(ProcBlockTypeError) -> [TensorType] {
        if arguments.float("modulus") == 0 { throw ProcBlockTypeError("cannot divide by a modulus of 0") }
        return [try BlockTyping.single(inputs, BlockTyping.numeric)]
    }

    func emit(_ use: ProcBlockUse) -> ProcBlockCode {
        let input = use.inputs[0]
        let modulus = Float(use.arguments.float("modulus") ?? 1)
        return ProcBlockCode(
            includes: ["blocks/modulo.h"],
            call: "rune_block_modulo(\(BlockTyping.cEnumerator(input.type.elementType)), \(input.buffer), \(use.outputs[0].buffer), \(input.type.elementCount), \(CLiteral.float(modulus)))")
    }
}
