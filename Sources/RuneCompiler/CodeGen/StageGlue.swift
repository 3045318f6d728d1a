/// The C that runs a pipeline's stages: the stage functions and the two exports built on them,
/// `rune_call()` (every stage, in order) and `rune_stage(index)` (one stage).
///
/// A small pipeline gets one function per stage, `rune_stage_<index>`, called directly: a
/// straight sequence of calls in `rune_call()` and a switch in `rune_stage()`, which the
/// optimizer inlines into tight code.
///
/// A large pipeline (see `RuneCodeGenerator.optimizedGlueStages`) gets its stages in groups of
/// `groupSize`, one unoptimised function per group, run from a constant table by one loop. The
/// per-stage form made LLVM 14 slow in two ways:
/// - quadratically, in functions with a basic block or more per stage: SimplifyCFG folding the
///   early returns of `rune_call()` into one return block whose phi has an entry per stage
///   (`PHINode::removeIncomingValue`), and the WebAssembly backend's "Fix Irreducible Control
///   Flow", which computes the reachability of every block of a function from every other
///   (`SmallPtrSet` inserts). Taking them out took 10,000 stages from 20 s to 4.2 s (user time).
/// - linearly but heavily, in the number of functions: the Wasm backend's pipeline costs about
///   0.15 ms a function however small; grouping took 10,000 stages from 4.2 s to 2.6 s.
/// Groups keep every function a bounded size and the functions few, so compile time grows
/// linearly with the stages (group sizes of 32 and 128 measured the same as 64).
struct StageGlue {
    /// Stages per group function in a large pipeline: big enough that the per-function cost of
    /// code generation is shared, small enough that no function has many blocks.
    static let groupSize = 64

    /// Each stage's statements, in pipeline order: C statements indented by four spaces that
    /// may `return` a negative status and otherwise leave `status` as they please.
    var bodies: [[String]]
    /// Whether the stages are grouped and their glue left unoptimised (large pipelines).
    var grouped: Bool

    /// The definitions, to follow the tensors and the blocks' declarations.
    var source: String { grouped ? groupedSource : perStageSource }

    // MARK: Small pipelines

    private var perStageSource: String {
        let functions = bodies.enumerated().map { index, body in
            """
            static int32_t rune_stage_\(index)(void) {
                int32_t status;
            \(body.joined(separator: "\n"))
                (void)status;
                return RUNE_OK;
            }
            """
        }
        let calls = bodies.indices.map { "    status = rune_stage_\($0)();\n    if (status != RUNE_OK) return status;" }
        let cases = bodies.indices.map { "    case \($0): return rune_stage_\($0)();" }
        return """
            /* Stages, in the order _call runs them. */
            \(functions.joined(separator: "\n\n"))

            int32_t rune_call(void) {
                int32_t status;
            \(calls.joined(separator: "\n"))
                (void)status;
                return RUNE_OK;
            }

            int32_t rune_stage(uint32_t index) {
                switch (index) {
            \(cases.joined(separator: "\n"))
                default: return RUNE_ERROR_ARGUMENT;
                }
            }

            """
    }

    // MARK: Large pipelines

    private var groupedSource: String {
        let count = bodies.count
        let groups = stride(from: 0, to: count, by: Self.groupSize).map { first in
            group(first: first, end: min(first + Self.groupSize, count))
        }
        let table = groups.indices.map { "    rune_stage_group_\($0)," }
        return """
            /* Stages, in groups of \(Self.groupSize): rune_stage_group_G(first, end) runs the stages
             * first..<end that are in group G, starting at `first` (which must be in the group).
             * A large pipeline's glue only calls blocks (each optimised once), so it is left
             * unoptimised, and grouped so that LLVM sees few, bounded functions. */
            \(groups.joined(separator: "\n\n"))

            static int32_t (*const rune_stage_groups[\(groups.count)])(uint32_t first, uint32_t end) = {
            \(table.joined(separator: "\n"))
            };

            int32_t rune_call(void) {
                for (uint32_t group = 0; group < \(groups.count)u; group++) {
                    int32_t status = rune_stage_groups[group](group * \(Self.groupSize)u, \(count)u);
                    if (status != RUNE_OK) return status;
                }
                return RUNE_OK;
            }

            int32_t rune_stage(uint32_t index) {
                if (index >= \(count)u) return RUNE_ERROR_ARGUMENT;
                return rune_stage_groups[index / \(Self.groupSize)u](index, index + 1);
            }

            """
    }

    /// One group: a switch enters at stage `first`, and each stage falls through to the next
    /// until `end`.
    private func group(first: Int, end: Int) -> String {
        var lines: [String] = []
        for index in first..<end {
            lines.append("    case \(index):")
            lines.append(contentsOf: bodies[index].map { "    " + $0 })
            if index + 1 < end {
                lines.append("        if (end <= \(index + 1)u) break;")
                lines.append("        /* fall through */")
            }
        }
        return """
            __attribute__((optnone, noinline)) static int32_t rune_stage_group_\(first / Self.groupSize)(uint32_t first, uint32_t end) {
                int32_t status;
                switch (first) {
            \(lines.joined(separator: "\n"))
                default: break;
                }
                (void)status;
                (void)end;
                return RUNE_OK;
            }
            """
    }
}
