import Synchronization
import WasmTypes
import WasmParser
import WasmTypes

/// A WebAssembly value as raw bits (floats keep their exact NaN payloads).
public enum AOTValue: Equatable, Sendable, CustomStringConvertible {
    case i32(UInt32)
    case i64(UInt64)
    case f32(UInt32)
    case f64(UInt64)

    init(bits: UInt64, _ kind: ValueKind) {
        switch kind {
        case .i32: self = .i32(UInt32(truncatingIfNeeded: bits))
        case .i64: self = .i64(bits)
        case .f32: self = .f32(UInt32(truncatingIfNeeded: bits))
        case .f64: self = .f64(bits)
        }
    }

    var bits: UInt64 {
        switch self {
        case .i32(let value): UInt64(value)
        case .i64(let value): value
        case .f32(let value): UInt64(value)
        case .f64(let value): value
        }
    }

    var kind: ValueKind {
        switch self {
        case .i32: .i32
        case .i64: .i64
        case .f32: .f32
        case .f64: .f64
        }
    }

    public var description: String {
        switch self {
        case .i32(let value): "i32:\(Int32(bitPattern: value))"
        case .i64(let value): "i64:\(Int64(bitPattern: value))"
        case .f32(let value): "f32:\(Float(bitPattern: value))"
        case .f64(let value): "f64:\(Double(bitPattern: value))"
        }
    }
}

/// A trap: the call stopped, with the interpreter's reason text.
public struct AOTTrap: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public var description: String { reason }
}

/// Canonical ids of function types, shared by every module in the process, so that
/// `call_indirect` compares one integer across module boundaries.
enum TypeRegistry {
    private static let state = Mutex<(ids: [FunctionType: Int32], types: [FunctionType])>(([:], []))

    static func id(_ type: FunctionType) -> Int32 {
        state.withLock { state in
            if let id = state.ids[type] { return id }
            let id = Int32(state.types.count)
            state.types.append(type)
            state.ids[type] = id
            return id
        }
    }

    static func type(_ id: Int64) -> FunctionType? {
        state.withLock { state in id >= 0 && id < state.types.count ? state.types[Int(id)] : nil }
    }
}
