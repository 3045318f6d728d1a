import RuneManifest

/// `most_confident_indices`: the indices of the largest elements, largest first.
struct MostConfidentIndices: ProcBlock {
    let name = "most_confident_indices"
    let summary = "the indices of the --count largest elements, the largest first (ties: lower index first)"
    let schema = ArgumentSchema([
        Parameter("count", .integer(1...Int(Int32.max)), default: "1", summary: "how many indices to return"),
    ])

    func outputTypes(inputs: [TensorType], arguments: ResolvedArguments,
                     declared: [TensorType]?) throws(ProcBlockTypeError) -> [TensorType] {
        let input = try BlockTyping.single(inputs, BlockTyping.numeric)
        let count = arguments.integer("count") ?? 1
        guard count <= input.elementCount else {
            throw ProcBlockTypeError("cannot pick \(count) indices from \(input.elementCount) elements",
                                     help: "set --count to at most \(input.elementCount)")
        }
        return [TensorType(.u32, [count])]
    }

    func emit(_ use: ProcBlockUse) -> ProcBlockCode {
        let input = use.inputs[0]
        return ProcBlockCode(
            includes: ["blocks/most_confident_indices.h"],
            call: "rune_block_most_confident_indices(\(BlockTyping.cEnumerator(input.type.elementType)), \(input.buffer), \(input.type.elementCount), \(use.outputs[0].buffer), \(use.outputs[0].type.elementCount))")
    }
}
