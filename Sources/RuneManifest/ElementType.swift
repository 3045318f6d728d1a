/// The element type of a tensor, as written in a Runefile (`I16`, `f32`, `UTF8`, ...).
public enum ElementType: UInt8, CaseIterable, Sendable, Hashable, Codable {
    case u8 = 1
    case i8 = 2
    case u16 = 3
    case i16 = 4
    case u32 = 5
    case i32 = 6
    case u64 = 7
    case i64 = 8
    case f32 = 9
    case f64 = 10
    case utf8 = 11

    /// Parses a Runefile spelling, case-insensitively: `U8`, `i16`, `F32`, `utf8`.
    public init?(spelling: String) {
        guard let type = ElementType.allCases.first(where: { $0.name == spelling.lowercased() }) else {
            return nil
        }
        self = type
    }

    /// The canonical lower-case name, as printed in outputs: `i16`, `f32`, `utf8`.
    public var name: String {
        switch self {
        case .u8: "u8"
        case .i8: "i8"
        case .u16: "u16"
        case .i16: "i16"
        case .u32: "u32"
        case .i32: "i32"
        case .u64: "u64"
        case .i64: "i64"
        case .f32: "f32"
        case .f64: "f64"
        case .utf8: "utf8"
        }
    }

    /// Bytes per element in a rune's memory. A UTF8 element is a `rune_string` (pointer and
    /// length) on a 32-bit target.
    public var byteWidth: Int {
        switch self {
        case .u8, .i8: 1
        case .u16, .i16: 2
        case .u32, .i32, .f32: 4
        case .u64, .i64, .f64, .utf8: 8
        }
    }

    /// The C type generated code uses for this element.
    public var cType: String {
        switch self {
        case .u8: "uint8_t"
        case .i8: "int8_t"
        case .u16: "uint16_t"
        case .i16: "int16_t"
        case .u32: "uint32_t"
        case .i32: "int32_t"
        case .u64: "uint64_t"
        case .i64: "int64_t"
        case .f32: "float"
        case .f64: "double"
        case .utf8: "rune_string"
        }
    }

    public var isFloatingPoint: Bool { self == .f32 || self == .f64 }
}
