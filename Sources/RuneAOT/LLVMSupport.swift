internal import CLLVM
import WasmTypes

/// LLVM types and small helpers shared by the emitters (LLVM 14, typed pointers).
final class LLVMKit {
    let context: LLVMContextRef
    let module: LLVMModuleRef
    let builder: LLVMBuilderRef
    let i1, i8, i16, i32, i64, f32, f64, void: LLVMTypeRef
    let i8Ptr, i64Ptr: LLVMTypeRef
    /// The target's `size_t`: the length operand of memmove/memset, which become calls to the
    /// C library's functions of that name on targets that cannot inline them.
    let intPtr: LLVMTypeRef

    init(name: String, pointerBytes: Int) {
        context = LLVMContextCreate()
        module = LLVMModuleCreateWithNameInContext(name, context)
        builder = LLVMCreateBuilderInContext(context)
        i1 = LLVMInt1TypeInContext(context)
        i8 = LLVMInt8TypeInContext(context)
        i16 = LLVMInt16TypeInContext(context)
        i32 = LLVMInt32TypeInContext(context)
        i64 = LLVMInt64TypeInContext(context)
        f32 = LLVMFloatTypeInContext(context)
        f64 = LLVMDoubleTypeInContext(context)
        void = LLVMVoidTypeInContext(context)
        i8Ptr = LLVMPointerType(i8, 0)
        i64Ptr = LLVMPointerType(i64, 0)
        intPtr = pointerBytes == 4 ? i32 : i64
    }

    /// Disposes of the builder and the context; the module must have been handed to the JIT
    /// (which owns it) or disposed of before.
    func disposeBuilder() { LLVMDisposeBuilder(builder) }

    func pointer(to type: LLVMTypeRef) -> LLVMTypeRef { LLVMPointerType(type, 0) }

    func constant(_ type: LLVMTypeRef, _ value: UInt64) -> LLVMValueRef { LLVMConstInt(type, value, 0) }
    func i32(_ value: Int32) -> LLVMValueRef { LLVMConstInt(i32, UInt64(UInt32(bitPattern: value)), 0) }
    func i64(_ value: Int64) -> LLVMValueRef { LLVMConstInt(i64, UInt64(bitPattern: value), 0) }
    func f32(bits: UInt32) -> LLVMValueRef { LLVMConstBitCast(LLVMConstInt(i32, UInt64(bits), 0), f32) }
    func f64(bits: UInt64) -> LLVMValueRef { LLVMConstBitCast(LLVMConstInt(i64, bits, 0), f64) }

    func type(_ value: ValueKind) -> LLVMTypeRef {
        switch value {
        case .i32: i32
        case .i64: i64
        case .f32: f32
        case .f64: f64
        }
    }

    /// The native signature of a wasm function type: the context first, then the parameters;
    /// no result, one result, or a struct of results.
    func functionType(_ type: Signature) -> LLVMTypeRef {
        var parameters: [LLVMTypeRef?] = [i8Ptr] + type.parameters.map { self.type($0) }
        return LLVMFunctionType(returnType(type), &parameters, UInt32(parameters.count), 0)
    }

    func returnType(_ type: Signature) -> LLVMTypeRef {
        switch type.results.count {
        case 0: return void
        case 1: return self.type(type.results[0])
        default:
            var members: [LLVMTypeRef?] = type.results.map { self.type($0) }
            return LLVMStructTypeInContext(context, &members, UInt32(members.count), 0)
        }
    }

    func function(_ name: String, _ type: LLVMTypeRef) -> LLVMValueRef {
        LLVMAddFunction(module, name, type)
    }

    func call(_ type: LLVMTypeRef, _ callee: LLVMValueRef, _ arguments: [LLVMValueRef], _ name: String = "") -> LLVMValueRef {
        var arguments: [LLVMValueRef?] = arguments
        return LLVMBuildCall2(builder, type, callee, &arguments, UInt32(arguments.count), name)
    }

    /// Calls the intrinsic `name`, overloaded on `overloads`.
    func intrinsic(_ name: String, _ overloads: [LLVMTypeRef], _ arguments: [LLVMValueRef]) -> LLVMValueRef {
        let id = LLVMLookupIntrinsicID(name, name.utf8.count)
        precondition(id != 0, "unknown intrinsic \(name)")
        var types: [LLVMTypeRef?] = overloads
        let declaration = LLVMGetIntrinsicDeclaration(module, id, &types, types.count)!
        let type = LLVMIntrinsicGetType(context, id, &types, types.count)!
        return call(type, declaration, arguments)
    }

    func appendBlock(_ function: LLVMValueRef, _ name: String) -> LLVMBasicBlockRef {
        LLVMAppendBasicBlockInContext(context, function, name)
    }

    func undef(_ type: LLVMTypeRef) -> LLVMValueRef { LLVMGetUndef(type) }

    /// Loads the pointer-sized word `index` of a struct addressed by `base` (an i8*), as `type`.
    func loadWord(_ base: LLVMValueRef, byteOffset: Int, as type: LLVMTypeRef, _ name: String = "") -> LLVMValueRef {
        let address = fieldAddress(base, byteOffset: byteOffset, of: type)
        return LLVMBuildLoad2(builder, type, address, name)
    }

    func fieldAddress(_ base: LLVMValueRef, byteOffset: Int, of type: LLVMTypeRef) -> LLVMValueRef {
        var offset: [LLVMValueRef?] = [i64(Int64(byteOffset))]
        let raw = byteOffset == 0 ? base : LLVMBuildInBoundsGEP2(builder, i8, base, &offset, 1, "")!
        return LLVMBuildBitCast(builder, raw, pointer(to: type), "")
    }
}

/// The four value types this engine runs.
enum ValueKind: Equatable {
    case i32, i64, f32, f64

    init(_ type: ValueType) throws(AOTError) {
        switch type {
        case .i32: self = .i32
        case .i64: self = .i64
        case .f32: self = .f32
        case .f64: self = .f64
        default: throw AOTError(.unsupported, "values of type \(type) are not supported")
        }
    }
}

struct Signature: Equatable {
    var parameters: [ValueKind]
    var results: [ValueKind]

    init(_ type: FunctionType) throws(AOTError) {
        parameters = []
        results = []
        for parameter in type.parameters { parameters.append(try ValueKind(parameter)) }
        for result in type.results { results.append(try ValueKind(result)) }
    }
}

/// Byte offsets of the fields of the C structs in RuneAOTSupport.h that generated code reads.
///
/// The same on every target: each field has an 8-byte slot even where pointers are 4 bytes
/// (Cortex-M, whose C mirror is Runtime/cortex-m/aot/aot_context.h). A pointer is loaded as the
/// target's pointer type from the start of its slot, which on a little-endian target is the
/// pointer itself; the rest of the slot is zero. One layout means one translator with no
/// per-target offsets, and a context a 32-bit host fills in exactly as a 64-bit one.
enum ContextLayout {
    static let memory = 0, globals = 8, table = 16, imports = 24, typeIDs = 32, thread = 40
    static let trap = 48, memoryGrow = 56, hostCall = 64, host = 72
    enum Memory { static let base = 0, size = 8, pages = 16 }
    enum Table { static let entries = 0, size = 8, entrySize = 24, typeID = 0, function = 8, context = 16 }
    enum Import { static let function = 0, context = 8, size = 16 }
    enum Thread { static let depth = 0, depthLimit = 4, stackLimit = 8, interrupt = 16 }
}
