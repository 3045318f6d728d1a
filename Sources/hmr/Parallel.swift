import Foundation

/// Runs work for several targets on threads of their own.
enum Parallel {
    /// `transform` applied to each element at once; the results in the elements' order.
    static func map<Element, Result>(_ elements: [Element], _ transform: (Element) -> Result) -> [Result] {
        let results = Slots<Result>(count: elements.count)
        // concurrentPerform returns only when every iteration has, so nothing outlives the call;
        // what the closures share is guarded by `Slots`' lock or read only.
        withoutActuallyEscaping(transform) { transform in
            let work = Work(elements: elements, transform: transform)
            DispatchQueue.concurrentPerform(iterations: elements.count) { index in
                results.set(index, work.transform(work.elements[index]))
            }
        }
        return results.values
    }

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
