import Foundation

/// Runs work for several targets on threads of their own.
enum Parallel {
    /// `transform` applied to each element at once; the results in the elements' order.
    static func map<Element, Result>(_ elements: [Element], _ transform: @escaping (Element) -> Result) -> [Result] {
        let results = Slots<Result>(count: elements.count)
        // A thread each, not concurrentPerform (which runs as many at once as there are cores):
        // the work is mostly waiting on devices, and every target must start at once. The call
        // waits for every result; what the threads share is guarded by `Slots`' lock or read
        // only (a thread may release its reference to `work` after that, so `transform` escapes).
        let work = Work(elements: elements, transform: transform)
        let group = DispatchGroup()
        for index in elements.indices {
            group.enter()
            let thread = Thread {
                results.set(index, work.transform(work.elements[index]))
                group.leave()
            }
            // The AOT translator (LLVM) recurses deeply on large functions.
            thread.stackSize = threadStackBytes
            thread.start()
        }
        group.wait()
        return results.values
    }

    private static let threadStackBytes = 16 << 20

    private struct Work<Element, Result>: @unchecked Sendable {
        let elements: [Element]
        let transform: (Element) -> Result
    }

    private final class Slots<Value>: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [Value?]

        init(count: Int) { slots = Array(repeating: nil, count: count) }

        func set(_ index: Int, _ value: Value) { lock.withLock { slots[index] = value } }

        var values: [Value] { lock.withLock { slots.map { $0! } } }
    }
}
