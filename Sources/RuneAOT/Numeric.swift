internal import CLLVM
import CRuneAOTSupport
import WasmParser
import WasmTypes

/// Integer and float arithmetic, comparisons and conversions, with the spec's semantics:
/// masked shift counts, trapping division, NaN-propagating min/max that order -0 below +0,
/// round-to-nearest-even, and trapping or saturating float-to-int conversions.
extension FunctionTranslator {
    mutating func translateCompare(_ op: Instruction.Cmp) throws(AOTError) {
        typealias I = LLVMIntPredicate
        typealias R = LLVMRealPredicate
        func int(_ kind: ValueKind, _ predicate: I) -> (ValueKind, I?, R?) { (kind, predicate, nil) }
        func real(_ kind: ValueKind, _ predicate: R) -> (ValueKind, I?, R?) { (kind, nil, predicate) }
        let (kind, integer, float): (ValueKind, I?, R?) = switch op {
        case .i32Eq: int(.i32, LLVMIntEQ)
        case .i32Ne: int(.i32, LLVMIntNE)
        case .i32LtS: int(.i32, LLVMIntSLT)
        case .i32LtU: int(.i32, LLVMIntULT)
        case .i32GtS: int(.i32, LLVMIntSGT)
        case .i32GtU: int(.i32, LLVMIntUGT)
        case .i32LeS: int(.i32, LLVMIntSLE)
        case .i32LeU: int(.i32, LLVMIntULE)
        case .i32GeS: int(.i32, LLVMIntSGE)
        case .i32GeU: int(.i32, LLVMIntUGE)
        case .i64Eq: int(.i64, LLVMIntEQ)
        case .i64Ne: int(.i64, LLVMIntNE)
        case .i64LtS: int(.i64, LLVMIntSLT)
        case .i64LtU: int(.i64, LLVMIntULT)
        case .i64GtS: int(.i64, LLVMIntSGT)
        case .i64GtU: int(.i64, LLVMIntUGT)
        case .i64LeS: int(.i64, LLVMIntSLE)
        case .i64LeU: int(.i64, LLVMIntULE)
        case .i64GeS: int(.i64, LLVMIntSGE)
        case .i64GeU: int(.i64, LLVMIntUGE)
        case .f32Eq: real(.f32, LLVMRealOEQ)
        case .f32Ne: real(.f32, LLVMRealUNE)
        case .f32Lt: real(.f32, LLVMRealOLT)
        case .f32Gt: real(.f32, LLVMRealOGT)
        case .f32Le: real(.f32, LLVMRealOLE)
        case .f32Ge: real(.f32, LLVMRealOGE)
        case .f64Eq: real(.f64, LLVMRealOEQ)
        case .f64Ne: real(.f64, LLVMRealUNE)
        case .f64Lt: real(.f64, LLVMRealOLT)
        case .f64Gt: real(.f64, LLVMRealOGT)
        case .f64Le: real(.f64, LLVMRealOLE)
        case .f64Ge: real(.f64, LLVMRealOGE)
        }
        let right = try pop(kind)
        let left = try pop(kind)
        let bit = integer.map { LLVMBuildICmp(builder, $0, left, right, "")! } ?? LLVMBuildFCmp(builder, float!, left, right, "")!
        push(LLVMBuildZExt(builder, bit, kit.i32, "")!, .i32)
    }

    mutating func translateUnary(_ op: Instruction.Unary) throws(AOTError) {
        switch op {
        case .i32Clz: try unary(.i32) { t, x in t.kit.intrinsic("llvm.ctlz", [t.kit.i32], [x, LLVMConstInt(t.kit.i1, 0, 0)]) }
        case .i32Ctz: try unary(.i32) { t, x in t.kit.intrinsic("llvm.cttz", [t.kit.i32], [x, LLVMConstInt(t.kit.i1, 0, 0)]) }
        case .i32Popcnt: try unary(.i32) { t, x in t.kit.intrinsic("llvm.ctpop", [t.kit.i32], [x]) }
        case .i64Clz: try unary(.i64) { t, x in t.kit.intrinsic("llvm.ctlz", [t.kit.i64], [x, LLVMConstInt(t.kit.i1, 0, 0)]) }
        case .i64Ctz: try unary(.i64) { t, x in t.kit.intrinsic("llvm.cttz", [t.kit.i64], [x, LLVMConstInt(t.kit.i1, 0, 0)]) }
        case .i64Popcnt: try unary(.i64) { t, x in t.kit.intrinsic("llvm.ctpop", [t.kit.i64], [x]) }
        case .f32Abs: try floatIntrinsic(.f32, "llvm.fabs")
        case .f32Neg: try unary(.f32) { t, x in LLVMBuildFNeg(t.builder, x, "")! }
        case .f32Ceil: try floatIntrinsic(.f32, "llvm.ceil")
        case .f32Floor: try floatIntrinsic(.f32, "llvm.floor")
        case .f32Trunc: try floatIntrinsic(.f32, "llvm.trunc")
        case .f32Nearest: try floatIntrinsic(.f32, nearestIntrinsic)
        case .f32Sqrt: try floatIntrinsic(.f32, "llvm.sqrt")
        case .f64Abs: try floatIntrinsic(.f64, "llvm.fabs")
        case .f64Neg: try unary(.f64) { t, x in LLVMBuildFNeg(t.builder, x, "")! }
        case .f64Ceil: try floatIntrinsic(.f64, "llvm.ceil")
        case .f64Floor: try floatIntrinsic(.f64, "llvm.floor")
        case .f64Trunc: try floatIntrinsic(.f64, "llvm.trunc")
        case .f64Nearest: try floatIntrinsic(.f64, nearestIntrinsic)
        case .f64Sqrt: try floatIntrinsic(.f64, "llvm.sqrt")
        case .i32Extend8S: try unary(.i32) { t, x in LLVMBuildSExt(t.builder, LLVMBuildTrunc(t.builder, x, t.kit.i8, ""), t.kit.i32, "")! }
        case .i32Extend16S: try unary(.i32) { t, x in LLVMBuildSExt(t.builder, LLVMBuildTrunc(t.builder, x, t.kit.i16, ""), t.kit.i32, "")! }
        case .i64Extend8S: try unary(.i64) { t, x in LLVMBuildSExt(t.builder, LLVMBuildTrunc(t.builder, x, t.kit.i8, ""), t.kit.i64, "")! }
        case .i64Extend16S: try unary(.i64) { t, x in LLVMBuildSExt(t.builder, LLVMBuildTrunc(t.builder, x, t.kit.i16, ""), t.kit.i64, "")! }
        case .i64Extend32S: try unary(.i64) { t, x in LLVMBuildSExt(t.builder, LLVMBuildTrunc(t.builder, x, t.kit.i32, ""), t.kit.i64, "")! }
        }
    }

    mutating func unary(_ kind: ValueKind, _ body: (inout FunctionTranslator, LLVMValueRef) -> LLVMValueRef) throws(AOTError) {
        let value = try pop(kind)
        push(body(&self, value), kind)
    }

    /// wasm's `nearest` rounds half to even whatever the rounding mode. LLVM 14 has no Arm
    /// instruction for `llvm.roundeven` and calls libm's `roundeven`, which firmware lacks; there
    /// `llvm.nearbyint` (VRINTR, rounding in the FPSCR's mode) is the same operation, since
    /// nothing on the device leaves round-to-nearest-even, the mode the core resets to.
    var nearestIntrinsic: String { module.target.isArm32 ? "llvm.nearbyint" : "llvm.roundeven" }

    mutating func floatIntrinsic(_ kind: ValueKind, _ name: String) throws(AOTError) {
        try unary(kind) { t, x in t.kit.intrinsic(name, [t.kit.type(kind)], [x]) }
    }

    mutating func binary(_ kind: ValueKind, _ body: (inout FunctionTranslator, LLVMValueRef, LLVMValueRef) -> LLVMValueRef) throws(AOTError) {
        let right = try pop(kind)
        let left = try pop(kind)
        push(body(&self, left, right), kind)
    }

    mutating func translateBinary(_ op: Instruction.Binary) throws(AOTError) {
        let b = builder
        switch op {
        case .i32Add: try binary(.i32) { _, x, y in LLVMBuildAdd(b, x, y, "")! }
        case .i32Sub: try binary(.i32) { _, x, y in LLVMBuildSub(b, x, y, "")! }
        case .i32Mul: try binary(.i32) { _, x, y in LLVMBuildMul(b, x, y, "")! }
        case .i32DivS: try binary(.i32) { t, x, y in t.divide(x, y, .i32, signed: true, remainder: false) }
        case .i32DivU: try binary(.i32) { t, x, y in t.divide(x, y, .i32, signed: false, remainder: false) }
        case .i32RemS: try binary(.i32) { t, x, y in t.divide(x, y, .i32, signed: true, remainder: true) }
        case .i32RemU: try binary(.i32) { t, x, y in t.divide(x, y, .i32, signed: false, remainder: true) }
        case .i32And: try binary(.i32) { _, x, y in LLVMBuildAnd(b, x, y, "")! }
        case .i32Or: try binary(.i32) { _, x, y in LLVMBuildOr(b, x, y, "")! }
        case .i32Xor: try binary(.i32) { _, x, y in LLVMBuildXor(b, x, y, "")! }
        case .i32Shl: try binary(.i32) { t, x, y in LLVMBuildShl(b, x, t.shiftCount(y, .i32), "")! }
        case .i32ShrS: try binary(.i32) { t, x, y in LLVMBuildAShr(b, x, t.shiftCount(y, .i32), "")! }
        case .i32ShrU: try binary(.i32) { t, x, y in LLVMBuildLShr(b, x, t.shiftCount(y, .i32), "")! }
        case .i32Rotl: try binary(.i32) { t, x, y in t.kit.intrinsic("llvm.fshl", [t.kit.i32], [x, x, y]) }
        case .i32Rotr: try binary(.i32) { t, x, y in t.kit.intrinsic("llvm.fshr", [t.kit.i32], [x, x, y]) }
        case .i64Add: try binary(.i64) { _, x, y in LLVMBuildAdd(b, x, y, "")! }
        case .i64Sub: try binary(.i64) { _, x, y in LLVMBuildSub(b, x, y, "")! }
        case .i64Mul: try binary(.i64) { _, x, y in LLVMBuildMul(b, x, y, "")! }
        case .i64DivS: try binary(.i64) { t, x, y in t.divide(x, y, .i64, signed: true, remainder: false) }
        case .i64DivU: try binary(.i64) { t, x, y in t.divide(x, y, .i64, signed: false, remainder: false) }
        case .i64RemS: try binary(.i64) { t, x, y in t.divide(x, y, .i64, signed: true, remainder: true) }
        case .i64RemU: try binary(.i64) { t, x, y in t.divide(x, y, .i64, signed: false, remainder: true) }
        case .i64And: try binary(.i64) { _, x, y in LLVMBuildAnd(b, x, y, "")! }
        case .i64Or: try binary(.i64) { _, x, y in LLVMBuildOr(b, x, y, "")! }
        case .i64Xor: try binary(.i64) { _, x, y in LLVMBuildXor(b, x, y, "")! }
        case .i64Shl: try binary(.i64) { t, x, y in LLVMBuildShl(b, x, t.shiftCount(y, .i64), "")! }
        case .i64ShrS: try binary(.i64) { t, x, y in LLVMBuildAShr(b, x, t.shiftCount(y, .i64), "")! }
        case .i64ShrU: try binary(.i64) { t, x, y in LLVMBuildLShr(b, x, t.shiftCount(y, .i64), "")! }
        case .i64Rotl: try binary(.i64) { t, x, y in t.kit.intrinsic("llvm.fshl", [t.kit.i64], [x, x, y]) }
        case .i64Rotr: try binary(.i64) { t, x, y in t.kit.intrinsic("llvm.fshr", [t.kit.i64], [x, x, y]) }
        case .f32Add: try binary(.f32) { t, x, y in LLVMBuildFAdd(b, t.opaqueIdentity(x, .f32), t.opaqueIdentity(y, .f32), "")! }
        case .f32Sub: try binary(.f32) { t, x, y in LLVMBuildFSub(b, t.opaqueIdentity(x, .f32), t.opaqueIdentity(y, .f32), "")! }
        case .f32Mul: try binary(.f32) { t, x, y in LLVMBuildFMul(b, t.opaqueIdentity(x, .f32), t.opaqueIdentity(y, .f32), "")! }
        case .f32Div: try binary(.f32) { t, x, y in LLVMBuildFDiv(b, t.opaqueIdentity(x, .f32), t.opaqueIdentity(y, .f32), "")! }
        case .f32Min: try binary(.f32) { t, x, y in t.minMax(x, y, .f32, minimum: true) }
        case .f32Max: try binary(.f32) { t, x, y in t.minMax(x, y, .f32, minimum: false) }
        case .f32Copysign: try binary(.f32) { t, x, y in t.kit.intrinsic("llvm.copysign", [t.kit.f32], [x, y]) }
        case .f64Add: try binary(.f64) { t, x, y in LLVMBuildFAdd(b, t.opaqueIdentity(x, .f64), t.opaqueIdentity(y, .f64), "")! }
        case .f64Sub: try binary(.f64) { t, x, y in LLVMBuildFSub(b, t.opaqueIdentity(x, .f64), t.opaqueIdentity(y, .f64), "")! }
        case .f64Mul: try binary(.f64) { t, x, y in LLVMBuildFMul(b, t.opaqueIdentity(x, .f64), t.opaqueIdentity(y, .f64), "")! }
        case .f64Div: try binary(.f64) { t, x, y in LLVMBuildFDiv(b, t.opaqueIdentity(x, .f64), t.opaqueIdentity(y, .f64), "")! }
        case .f64Min: try binary(.f64) { t, x, y in t.minMax(x, y, .f64, minimum: true) }
        case .f64Max: try binary(.f64) { t, x, y in t.minMax(x, y, .f64, minimum: false) }
        case .f64Copysign: try binary(.f64) { t, x, y in t.kit.intrinsic("llvm.copysign", [t.kit.f64], [x, y]) }
        }
    }

    /// LLVM folds x+-0, x-0, x*1, x/1 and x*-1 to x or -x, but wasm requires them to quiet a
    /// signalling NaN. Those constants reach the operation through an empty inline-asm
    /// identity, which the optimizer cannot see through (and which costs nothing).
    func opaqueIdentity(_ value: LLVMValueRef, _ kind: ValueKind) -> LLVMValueRef {
        guard LLVMIsAConstantFP(value) != nil,
              let integer = LLVMConstBitCast(value, kind == .f32 ? kit.i32 : kit.i64), LLVMIsAConstantInt(integer) != nil else { return value }
        let bits = LLVMConstIntGetZExtValue(integer)
        let magnitude = kind == .f32 ? bits & 0x7fff_ffff : bits & 0x7fff_ffff_ffff_ffff
        let one: UInt64 = kind == .f32 ? 0x3f80_0000 : 0x3ff0_0000_0000_0000
        guard magnitude == 0 || magnitude == one else { return value }
        return opaque(value, kind)
    }

    func opaque(_ value: LLVMValueRef, _ kind: ValueKind) -> LLVMValueRef {
        var parameters: [LLVMTypeRef?] = [kit.type(kind)]
        let type = LLVMFunctionType(kit.type(kind), &parameters, 1, 0)!
        // A float register of the target: SSE on x86, a NEON register on AArch64, and on 32-bit
        // Arm an S register for f32, a D register for f64.
        let registers = module.target.isArm32 ? (kind == .f32 ? "t" : "w") : (module.target.triple.hasPrefix("x86_64") ? "x" : "w")
        var constraints = Array("=\(registers),0".utf8CString)
        var text: [CChar] = [0]
        let assembly = LLVMGetInlineAsm(type, &text, 0, &constraints, constraints.count - 1, 0, 0, LLVMInlineAsmDialectATT, 0)!
        return kit.call(type, assembly, [value])
    }

    func shiftCount(_ count: LLVMValueRef, _ kind: ValueKind) -> LLVMValueRef {
        kind == .i32 ? LLVMBuildAnd(builder, count, kit.i32(31), "")! : LLVMBuildAnd(builder, count, kit.i64(63), "")!
    }

    /// Division and remainder: divide by zero traps; signed MIN / -1 traps, MIN % -1 is 0.
    mutating func divide(_ x: LLVMValueRef, _ y: LLVMValueRef, _ kind: ValueKind, signed: Bool, remainder: Bool) -> LLVMValueRef {
        let type = kit.type(kind)
        let zero = LLVMConstInt(type, 0, 0)!
        let minusOne = LLVMConstAllOnes(type)!
        trap(if: LLVMBuildICmp(builder, LLVMIntEQ, y, zero, "")!, RuneAOTTrapDivideByZero)
        guard signed else {
            return remainder ? LLVMBuildURem(builder, x, y, "")! : LLVMBuildUDiv(builder, x, y, "")!
        }
        let minimum = kind == .i32 ? kit.i32(Int32.min) : kit.i64(Int64.min)
        let isMinusOne = LLVMBuildICmp(builder, LLVMIntEQ, y, minusOne, "")!
        if remainder {
            // x % -1 is 0 for every x; avoid srem's undefined MIN % -1.
            let divisor = LLVMBuildSelect(builder, isMinusOne, LLVMConstInt(type, 1, 0), y, "")!
            return LLVMBuildSRem(builder, x, divisor, "")!
        }
        let overflow = LLVMBuildAnd(builder, isMinusOne, LLVMBuildICmp(builder, LLVMIntEQ, x, minimum, ""), "")!
        trap(if: overflow, RuneAOTTrapIntegerOverflow)
        return LLVMBuildSDiv(builder, x, y, "")!
    }

    /// wasm min/max: NaN if either operand is NaN; -0 < +0; otherwise the ordinary order.
    func minMax(_ x: LLVMValueRef, _ y: LLVMValueRef, _ kind: ValueKind, minimum: Bool) -> LLVMValueRef {
        let integer = kind == .f32 ? kit.i32 : kit.i64
        let type = kit.type(kind)
        let xBits = LLVMBuildBitCast(builder, x, integer, "")!
        let yBits = LLVMBuildBitCast(builder, y, integer, "")!
        // Equal operands (including +0 and -0): OR the bits for min (-0 wins), AND for max.
        let equalBits = minimum ? LLVMBuildOr(builder, xBits, yBits, "")! : LLVMBuildAnd(builder, xBits, yBits, "")!
        let equal = LLVMBuildBitCast(builder, equalBits, type, "")!
        let first = LLVMBuildFCmp(builder, minimum ? LLVMRealOLT : LLVMRealOGT, x, y, "")!
        let second = LLVMBuildFCmp(builder, minimum ? LLVMRealOGT : LLVMRealOLT, x, y, "")!
        let ordered = LLVMBuildSelect(builder, first, x, LLVMBuildSelect(builder, second, y, equal, ""), "")!
        let unordered = LLVMBuildFCmp(builder, LLVMRealUNO, x, y, "")!
        // Adding the operands yields a quiet NaN that carries one of their payloads.
        return LLVMBuildSelect(builder, unordered, LLVMBuildFAdd(builder, x, y, ""), ordered, "")!
    }

    mutating func convert(_ from: ValueKind, _ to: ValueKind, _ body: (inout FunctionTranslator, LLVMValueRef) -> LLVMValueRef) throws(AOTError) {
        let value = try pop(from)
        push(body(&self, value), to)
    }

    mutating func translateConversion(_ op: Instruction.Conversion) throws(AOTError) {
        let b = builder
        let k = kit
        switch op {
        case .i32WrapI64: try convert(.i64, .i32) { _, x in LLVMBuildTrunc(b, x, k.i32, "")! }
        case .i64ExtendI32S: try convert(.i32, .i64) { _, x in LLVMBuildSExt(b, x, k.i64, "")! }
        case .i64ExtendI32U: try convert(.i32, .i64) { _, x in LLVMBuildZExt(b, x, k.i64, "")! }
        case .i32TruncF32S: try convert(.f32, .i32) { t, x in t.truncate(x, .f32, .i32, signed: true) }
        case .i32TruncF32U: try convert(.f32, .i32) { t, x in t.truncate(x, .f32, .i32, signed: false) }
        case .i32TruncF64S: try convert(.f64, .i32) { t, x in t.truncate(x, .f64, .i32, signed: true) }
        case .i32TruncF64U: try convert(.f64, .i32) { t, x in t.truncate(x, .f64, .i32, signed: false) }
        case .i64TruncF32S: try convert(.f32, .i64) { t, x in t.truncate(x, .f32, .i64, signed: true) }
        case .i64TruncF32U: try convert(.f32, .i64) { t, x in t.truncate(x, .f32, .i64, signed: false) }
        case .i64TruncF64S: try convert(.f64, .i64) { t, x in t.truncate(x, .f64, .i64, signed: true) }
        case .i64TruncF64U: try convert(.f64, .i64) { t, x in t.truncate(x, .f64, .i64, signed: false) }
        case .i32TruncSatF32S: try convert(.f32, .i32) { t, x in t.saturate(x, .f32, .i32, signed: true) }
        case .i32TruncSatF32U: try convert(.f32, .i32) { t, x in t.saturate(x, .f32, .i32, signed: false) }
        case .i32TruncSatF64S: try convert(.f64, .i32) { t, x in t.saturate(x, .f64, .i32, signed: true) }
        case .i32TruncSatF64U: try convert(.f64, .i32) { t, x in t.saturate(x, .f64, .i32, signed: false) }
        case .i64TruncSatF32S: try convert(.f32, .i64) { t, x in t.saturate(x, .f32, .i64, signed: true) }
        case .i64TruncSatF32U: try convert(.f32, .i64) { t, x in t.saturate(x, .f32, .i64, signed: false) }
        case .i64TruncSatF64S: try convert(.f64, .i64) { t, x in t.saturate(x, .f64, .i64, signed: true) }
        case .i64TruncSatF64U: try convert(.f64, .i64) { t, x in t.saturate(x, .f64, .i64, signed: false) }
        case .f32ConvertI32S: try convert(.i32, .f32) { _, x in LLVMBuildSIToFP(b, x, k.f32, "")! }
        case .f32ConvertI32U: try convert(.i32, .f32) { _, x in LLVMBuildUIToFP(b, x, k.f32, "")! }
        case .f32ConvertI64S: try convert(.i64, .f32) { _, x in LLVMBuildSIToFP(b, x, k.f32, "")! }
        case .f32ConvertI64U: try convert(.i64, .f32) { _, x in LLVMBuildUIToFP(b, x, k.f32, "")! }
        case .f64ConvertI32S: try convert(.i32, .f64) { _, x in LLVMBuildSIToFP(b, x, k.f64, "")! }
        case .f64ConvertI32U: try convert(.i32, .f64) { _, x in LLVMBuildUIToFP(b, x, k.f64, "")! }
        case .f64ConvertI64S: try convert(.i64, .f64) { _, x in LLVMBuildSIToFP(b, x, k.f64, "")! }
        case .f64ConvertI64U: try convert(.i64, .f64) { _, x in LLVMBuildUIToFP(b, x, k.f64, "")! }
        case .f32DemoteF64:
            // fptrunc(fpext x) folds to x, which would keep a signalling NaN signalling.
            try convert(.f64, .f32) { t, x in
                let isExtension = LLVMIsAInstruction(x) != nil && LLVMGetInstructionOpcode(x) == LLVMFPExt
                return LLVMBuildFPTrunc(b, isExtension ? t.opaque(x, .f64) : x, k.f32, "")!
            }
        case .f64PromoteF32: try convert(.f32, .f64) { _, x in LLVMBuildFPExt(b, x, k.f64, "")! }
        case .i32ReinterpretF32: try convert(.f32, .i32) { _, x in LLVMBuildBitCast(b, x, k.i32, "")! }
        case .i64ReinterpretF64: try convert(.f64, .i64) { _, x in LLVMBuildBitCast(b, x, k.i64, "")! }
        case .f32ReinterpretI32: try convert(.i32, .f32) { _, x in LLVMBuildBitCast(b, x, k.f32, "")! }
        case .f64ReinterpretI64: try convert(.i64, .f64) { _, x in LLVMBuildBitCast(b, x, k.f64, "")! }
        }
    }

    /// Trapping float-to-int: NaN is an invalid conversion; values whose truncation does not
    /// fit are an overflow. The bounds are exact in the source type.
    mutating func truncate(_ x: LLVMValueRef, _ from: ValueKind, _ to: ValueKind, signed: Bool) -> LLVMValueRef {
        let type = kit.type(from)
        trap(if: LLVMBuildFCmp(builder, LLVMRealUNO, x, x, "")!, RuneAOTTrapInvalidConversion)
        let bits = to == .i32 ? 32.0 : 64.0
        let upper = signed ? pow2(bits - 1) : pow2(bits)
        let lowerInRange: LLVMValueRef
        if !signed {
            lowerInRange = LLVMBuildFCmp(builder, LLVMRealOGT, x, LLVMConstReal(type, -1), "")!
        } else if to == .i32 && from == .f64 {
            lowerInRange = LLVMBuildFCmp(builder, LLVMRealOGT, x, LLVMConstReal(type, -2147483649.0), "")!
        } else {
            lowerInRange = LLVMBuildFCmp(builder, LLVMRealOGE, x, LLVMConstReal(type, -pow2(bits - 1)), "")!
        }
        let upperInRange = LLVMBuildFCmp(builder, LLVMRealOLT, x, LLVMConstReal(type, upper), "")!
        let inRange = LLVMBuildAnd(builder, lowerInRange, upperInRange, "")!
        trap(if: LLVMBuildNot(builder, inRange, "")!, RuneAOTTrapIntegerOverflow)
        return signed ? LLVMBuildFPToSI(builder, x, kit.type(to), "")! : LLVMBuildFPToUI(builder, x, kit.type(to), "")!
    }

    func pow2(_ exponent: Double) -> Double { Double(sign: .plus, exponent: Int(exponent), significand: 1) }

    func saturate(_ x: LLVMValueRef, _ from: ValueKind, _ to: ValueKind, signed: Bool) -> LLVMValueRef {
        kit.intrinsic(signed ? "llvm.fptosi.sat" : "llvm.fptoui.sat", [kit.type(to), kit.type(from)], [x])
    }
}
