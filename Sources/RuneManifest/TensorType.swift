/// The type of a tensor: an element type and a shape.
///
/// Shapes are canonical: dimensions of size 1 are dropped, and a tensor of one element has shape
/// `[1]`. `F32`, `F32[1]` and `F32[1, 1]` are the same type, as are `U8[1, 96, 96, 1]` and
/// `U8[96, 96]`: they have the same elements in the same row-major order, which is all a rune
/// moves between stages.
///
/// The shape as written (``shape``) is kept beside the canonical one for printing only: an
/// output declared `F32[1, 1]` prints `"dimensions":[1,1]`, as the original Rune did. Equality,
/// hashing and type checking ignore it.
public struct TensorType: Hashable, Sendable, CustomStringConvertible {
    public var elementType: ElementType
    /// The canonical dimensions (no 1s unless the tensor has one element).
    public private(set) var dimensions: [Int]
    /// The dimensions as declared (`[1, 1]`): ``dimensions`` with any unit dimensions put back.
    /// The canonical shape when none was declared or the declared rank exceeds the limit.
    public private(set) var shape: [Int]

    public init(_ elementType: ElementType, _ dimensions: [Int]) {
        self.elementType = elementType
        self.dimensions = TensorType.canonical(dimensions)
        self.shape = (1...RuneLimits.maxRank).contains(dimensions.count) ? dimensions : self.dimensions
    }

    /// The same type with its canonical shape (what an inferred type prints).
    public var canonicalized: TensorType { TensorType(elementType, dimensions) }

    public static func == (lhs: TensorType, rhs: TensorType) -> Bool {
        lhs.elementType == rhs.elementType && lhs.dimensions == rhs.dimensions
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(elementType)
        hasher.combine(dimensions)
    }

    /// Drops unit dimensions; a shape with one element becomes `[1]`.
    public static func canonical(_ dimensions: [Int]) -> [Int] {
        let kept = dimensions.filter { $0 != 1 }
        return kept.isEmpty ? [1] : kept
    }

    public var elementCount: Int { dimensions.reduce(1, *) }
    public var byteCount: Int { elementCount * elementType.byteWidth }

    /// `I16[16000]`, `F32[128, 3]`.
    public var description: String {
        "\(elementType.name.uppercased())[\(dimensions.map(String.init).joined(separator: ", "))]"
    }
}
