import RuneManifest

/// What every host refuses, checked at compile time so that a rune that compiles is a rune
/// hosts load (`RuneLimits`).
enum HostLimits {
    /// Why a tensor of `elementType` and `dimensions` is too large for a host, or nil. Safe on
    /// any dimensions: the products are computed with overflow checks.
    static func tensorProblem(_ elementType: ElementType, _ dimensions: [Int]) -> String? {
        let canonical = TensorType.canonical(dimensions)
        if canonical.count > RuneLimits.maxRank {
            return "has \(canonical.count) dimensions (not counting 1s); hosts accept at most \(RuneLimits.maxRank)"
        }
        var elements = 1
        for dimension in canonical {
            let (product, overflow) = elements.multipliedReportingOverflow(by: max(dimension, 0))
            if overflow || product > RuneLimits.maxTensorElements {
                return "has more than \(RuneLimits.maxTensorElements) elements, the most hosts accept"
            }
            elements = product
        }
        if elements * elementType.byteWidth > RuneLimits.maxTensorBytes {
            return "takes \(elements * elementType.byteWidth) bytes; hosts accept tensors of at most \(RuneLimits.maxTensorBytes) bytes"
        }
        return nil
    }

    /// Why `name` is too long to be a stage, capability or output name, or nil.
    static func nameProblem(_ name: String) -> String? {
        let bytes = name.utf8.count
        guard bytes > RuneLimits.maxNameBytes else { return nil }
        return "the name is \(bytes) bytes long; hosts accept names of at most \(RuneLimits.maxNameBytes) bytes"
    }

    /// Why an argument value is too long to reach a host through the manifest, or nil.
    static func argumentProblem(_ text: String) -> String? {
        let bytes = text.utf8.count
        guard bytes > RuneLimits.maxStringBytes else { return nil }
        return "the value is \(bytes) bytes long; hosts accept argument values of at most \(RuneLimits.maxStringBytes) bytes"
    }
}
