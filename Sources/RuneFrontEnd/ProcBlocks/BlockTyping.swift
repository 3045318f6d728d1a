import Foundation
import RuneManifest
import RuneModels

/// Typing rules and C helpers the library blocks share.
enum BlockTyping {
    static let numeric: [ElementType] = ElementType.allCases.filter { $0 != .utf8 }
    static let integers: [ElementType] = [.u8, .i8, .u16, .i16, .u32, .i32, .u64, .i64]

    /// The one input a block takes, of one of `allowed` element types.
    static func single(_ inputs: [TensorType], _ allowed: [ElementType]) throws(ProcBlockTypeError) -> TensorType {
        guard inputs.count == 1, let input = inputs.first else {
            throw ProcBlockTypeError("takes one input but is given \(inputs.count)")
        }
        guard allowed.contains(input.elementType) else {
            throw ProcBlockTypeError("cannot take \(input)",
                                     help: "it takes " + allowed.map { $0.name.uppercased() }.joined(separator: ", "),
                                     elementType: true)
        }
        return input
    }

    /// `elementType` with the declared output's shape when that shape has `count` elements, else
    /// `fallback`: blocks whose output is a flat list accept any shape the Runefile gives it.
    static func shaped(_ elementType: ElementType, count: Int, declared: [TensorType]?, fallback: [Int]) -> TensorType {
        if let shape = declared?.first?.dimensions, shape.reduce(1, *) == count {
            return TensorType(elementType, shape)
        }
        return TensorType(elementType, fallback)
    }

    /// The C enumerator of an element type: `RUNE_F32`.
    static func cEnumerator(_ type: ElementType) -> String { "RUNE_\(type.name.uppercased())" }

    /// A file-scope constant array.
    static func constantArray(_ name: String, _ cType: String, _ values: [String], perLine: Int = 12) -> String {
        CLiteral.array("static const \(cType)", name, values, perLine: perLine)
    }
}
