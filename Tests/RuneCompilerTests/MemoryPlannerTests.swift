@testable import RuneCompiler
@testable import RuneModels
import Testing

/// The arena planner: buffers alive at the same time never overlap, memory is reused when
/// lifetimes are disjoint, and every offset is aligned.
@Suite struct MemoryPlannerTests {
    typealias Buffer = MemoryPlanner.Buffer

    @Test func reusesMemoryAcrossDisjointLifetimes() {
        let plan = MemoryPlanner().plan([
            Buffer(size: 100, firstUse: 0, lastUse: 1),
            Buffer(size: 60, firstUse: 2, lastUse: 3),
            Buffer(size: 30, firstUse: 4, lastUse: 5),
        ])
        #expect(plan.offsets == [0, 0, 0])
        #expect(plan.size == 112)
    }

    @Test func placesLiveBuffersSideBySideLargestFirst() {
        let plan = MemoryPlanner().plan([
            Buffer(size: 16, firstUse: 0, lastUse: 2),
            Buffer(size: 64, firstUse: 1, lastUse: 2),
            Buffer(size: 32, firstUse: 2, lastUse: 3),
        ])
        #expect(plan.offsets == [96, 0, 64])
        #expect(plan.size == 112)
    }

    @Test func fillsAGapBetweenLiveBuffers() {
        // 0 and 2 are live at step 2 with a hole between them once 1 has died; 3 fits in it.
        let plan = MemoryPlanner().plan([
            Buffer(size: 64, firstUse: 0, lastUse: 4),
            Buffer(size: 48, firstUse: 0, lastUse: 1),
            Buffer(size: 32, firstUse: 0, lastUse: 4),
            Buffer(size: 16, firstUse: 2, lastUse: 4),
        ])
        #expect(plan.offsets == [0, 64, 112, 64])
        #expect(plan.size == 144)
    }

    @Test func randomPlansAreSound() {
        var state: UInt64 = 0xA7E4A
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<500 {
            let buffers = (0..<(1 + next(24))).map { _ -> Buffer in
                let first = next(20)
                return Buffer(size: 1 + next(5000), firstUse: first, lastUse: first + next(6))
            }
            let planner = MemoryPlanner()
            let plan = planner.plan(buffers)
            let aligned = buffers.map { ($0.size + planner.alignment - 1) / planner.alignment * planner.alignment }
            #expect(plan.size <= aligned.reduce(0, +), "never worse than no reuse")
            for (index, buffer) in buffers.enumerated() {
                #expect(plan.offsets[index] % planner.alignment == 0)
                #expect(plan.offsets[index] + buffer.size <= plan.size)
                for other in buffers.indices where other > index {
                    let live = buffer.firstUse <= buffers[other].lastUse && buffers[other].firstUse <= buffer.lastUse
                    let disjoint = plan.offsets[index] + buffer.size <= plan.offsets[other]
                        || plan.offsets[other] + buffers[other].size <= plan.offsets[index]
                    #expect(!live || disjoint, "buffers \(index) and \(other) overlap while both are live")
                }
            }
        }
    }
}
