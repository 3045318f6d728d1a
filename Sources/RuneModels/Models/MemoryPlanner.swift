/// Places buffers with known lifetimes in one arena, reusing memory between buffers that are
/// never live at the same time.
///
/// Greedy by size, like TFLite Micro's planner: the largest buffers are placed first, each at the
/// lowest aligned offset that does not overlap a placed buffer whose lifetime intersects its own.
struct MemoryPlanner {
    struct Buffer {
        var size: Int
        /// The first and last step (inclusive) that use the buffer.
        var firstUse: Int
        var lastUse: Int
    }

    var alignment = 16

    /// The offset of each buffer, and the arena size.
    func plan(_ buffers: [Buffer]) -> (offsets: [Int], size: Int) {
        let order = buffers.indices.sorted {
            let a = buffers[$0], b = buffers[$1]
            return a.size != b.size ? a.size > b.size : (a.firstUse != b.firstUse ? a.firstUse < b.firstUse : $0 < $1)
        }
        var offsets = Array(repeating: 0, count: buffers.count)
        var placed: [Int] = []
        var arena = 0
        for index in order {
            let buffer = buffers[index]
            let size = align(buffer.size)
            // Placed buffers alive at the same time, by offset.
            let conflicts = placed.filter {
                buffers[$0].firstUse <= buffer.lastUse && buffer.firstUse <= buffers[$0].lastUse
            }.sorted { offsets[$0] < offsets[$1] }
            var candidate = 0
            for other in conflicts {
                let start = offsets[other]
                if candidate + size <= start { break }
                candidate = max(candidate, start + align(buffers[other].size))
            }
            offsets[index] = candidate
            placed.append(index)
            arena = max(arena, candidate + size)
        }
        return (offsets, arena)
    }

    private func align(_ value: Int) -> Int { (max(value, 1) + alignment - 1) / alignment * alignment }
}
