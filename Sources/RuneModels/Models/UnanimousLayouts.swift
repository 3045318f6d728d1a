/// The constants that every step reading them wants in one and the same layout, each with that
/// layout. A constant is emitted once and every reader indexes the same array, so if any step
/// reads it otherwise (as an operand other than the candidate's filter, or wanting another
/// shape), the constant keeps the model's layout for all of them.
func unanimousLayouts<Layout: Equatable>(of steps: [KernelStep], model: TFLiteModel,
                                         candidate: (KernelCall) -> (filter: Int, layout: Layout)?) -> [Int: Layout] {
    var wanted: [Int: Layout] = [:]
    var refused: Set<Int> = []
    for step in steps {
        let wish = candidate(step.call)
        for (index, _) in step.call.tensors where model.tensors[index].isConstant {
            guard let wish, wish.filter == index else {
                refused.insert(index)
                continue
            }
            if let existing = wanted[index], existing != wish.layout { refused.insert(index) }
            wanted[index] = wish.layout
        }
    }
    return wanted.filter { !refused.contains($0.key) }
}
