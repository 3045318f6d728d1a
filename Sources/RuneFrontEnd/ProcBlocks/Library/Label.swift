import RuneManifest
import RuneModels

/// `label`: maps each index to a word from `--labels`.
struct Label: ProcBlock {
    let name = "label"
    let summary = "replaces each index with the label at that position of --labels"
    let schema = ArgumentSchema([
        Parameter("labels", .stringList, required: true, aliases: ["wordlist"],
                  summary: "the labels, in index order: --labels=up,down,left,right"),
    ])

    func outputTypes(inputs: [TensorType], arguments: ResolvedArguments,
                     declared: [TensorType]?) throws(ProcBlockTypeError) -> [TensorType] {
        let input = try BlockTyping.single(inputs, BlockTyping.integers)
        return [TensorType(.utf8, input.dimensions)]
    }

    func emit(_ use: ProcBlockUse) -> ProcBlockCode {
        let input = use.inputs[0]
        let labels = use.arguments.list("labels") ?? []
        let table = "\(use.symbol)_labels"
        let strings = labels.map { "{\($0.cStringLiteral), \($0.utf8.count)}" }
        return ProcBlockCode(
            includes: ["blocks/label.h"],
            declarations: BlockTyping.constantArray(table, "rune_string", strings, perLine: 4),
            call: "rune_block_label(\(BlockTyping.cEnumerator(input.type.elementType)), \(input.buffer), \(input.type.elementCount), \(table), \(labels.count), \(use.outputs[0].buffer))")
    }
}
