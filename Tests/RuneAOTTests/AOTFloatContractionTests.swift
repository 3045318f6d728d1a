import RuneAOT
import Testing
import WasmKit
import WAT

/// `a * b + c` must round twice on the AOT engine, as wasm specifies and as the interpreter
/// does, even on hosts with FMA (x86's vfmadd, AArch64's fmadd): a fused multiply-add rounds
/// once and gives a different last bit. The generated machine code is not visible here, so the
/// check is numeric, with inputs where the two roundings differ.
@Suite struct AOTFloatContractionTests {
    /// A scalar multiply-add for each float type, and a loop over memory the vectorizer would
    /// turn into packed FMAs if contraction were allowed.
    static let text = """
        (module (memory (export "memory") 1)
          (func (export "f32") (param f32 f32 f32) (result f32)
            (f32.add (f32.mul (local.get 0) (local.get 1)) (local.get 2)))
          (func (export "f64") (param f64 f64 f64) (result f64)
            (f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
          (func (export "loop") (param $n i32) (local $i i32)
            (loop $next
              (f32.store offset=0x8000 (local.get $i)
                (f32.add (f32.mul (f32.load (local.get $i)) (f32.load offset=0x2000 (local.get $i)))
                         (f32.load offset=0x4000 (local.get $i))))
              (local.set $i (i32.add (local.get $i) (i32.const 4)))
              (br_if $next (i32.lt_u (local.get $i) (i32.shl (local.get $n) (i32.const 2)))))))
        """

    // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 exactly; rounded to f32 the 2^-24 is a tie and goes to
    // even, so a * b + c is 0 where fma(a, b, c) keeps 2^-24. The same with 2^-27 for f64.
    static let a32 = Float(1) + Float(sign: .plus, exponent: -12, significand: 1)
    static let c32 = -(Float(1) + Float(sign: .plus, exponent: -11, significand: 1))
    static let a64 = Double(1) + Double(sign: .plus, exponent: -27, significand: 1)
    static let c64 = -(Double(1) + Double(sign: .plus, exponent: -26, significand: 1))

    @Test func theInputsTellFusedFromUnfused() {
        #expect(Self.a32 * Self.a32 + Self.c32 == 0)
        #expect(Self.c32.addingProduct(Self.a32, Self.a32) != 0)
        #expect(Self.a64 * Self.a64 + Self.c64 == 0)
        #expect(Self.c64.addingProduct(Self.a64, Self.a64) != 0)
    }

    @Test func aotRoundsMultiplyAndAddSeparately() throws {
        let instance = try AOTInstance(module: try AOTModule(bytes: try wat2wasm(Self.text)), store: AOTStore()) { _, _ in nil }
        #expect(try instance.invoke("f32", [.f32(Self.a32.bitPattern), .f32(Self.a32.bitPattern), .f32(Self.c32.bitPattern)])
                == [.f32(0)])
        #expect(try instance.invoke("f64", [.f64(Self.a64.bitPattern), .f64(Self.a64.bitPattern), .f64(Self.c64.bitPattern)])
                == [.f64(0)])

        guard case .memory(let memory)? = instance.export("memory") else { Issue.record("no memory"); return }
        let count = 64
        memory.withUnsafeMutableBytes { bytes in
            for i in 0..<count {
                bytes.storeBytes(of: Self.a32.bitPattern, toByteOffset: 4 * i, as: UInt32.self)
                bytes.storeBytes(of: Self.a32.bitPattern, toByteOffset: 0x2000 + 4 * i, as: UInt32.self)
                bytes.storeBytes(of: Self.c32.bitPattern, toByteOffset: 0x4000 + 4 * i, as: UInt32.self)
                bytes.storeBytes(of: UInt32(0xffff_ffff), toByteOffset: 0x8000 + 4 * i, as: UInt32.self)
            }
        }
        _ = try instance.invoke("loop", [.i32(UInt32(count))])
        let results = memory.withUnsafeMutableBytes { bytes in
            (0..<count).map { bytes.load(fromByteOffset: 0x8000 + 4 * $0, as: UInt32.self) }
        }
        #expect(results == Array(repeating: 0, count: count), "fused lanes: \(results.filter { $0 != 0 }.count)")
    }

    /// The interpreter is the reference the AOT engine is compared against elsewhere; it must
    /// agree here too.
    @Test func interpreterRoundsMultiplyAndAddSeparately() throws {
        let store = Store(engine: Engine())
        let instance = try parseWasm(bytes: try wat2wasm(Self.text)).instantiate(store: store)
        let f32 = try #require(instance.exports[function: "f32"])
        let f64 = try #require(instance.exports[function: "f64"])
        #expect(try f32([.f32(Self.a32.bitPattern), .f32(Self.a32.bitPattern), .f32(Self.c32.bitPattern)]) == [.f32(0)])
        #expect(try f64([.f64(Self.a64.bitPattern), .f64(Self.a64.bitPattern), .f64(Self.c64.bitPattern)]) == [.f64(0)])
    }
}
