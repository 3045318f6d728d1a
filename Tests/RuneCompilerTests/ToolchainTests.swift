import Testing
@testable import RuneCompiler

@Suite struct ToolchainTests {
    func plan(_ source: String, target: CompilationTarget = .wasm32) -> BuildPlan {
        BuildPlan(target: target, optimization: .size, debugInfo: false,
                  units: [.init(path: "/rune/main.c", source: source),
                          .init(path: RuntimeLibrary.path("lib/memory.c"), source: nil)],
                  headers: RuntimeLibrary.files, includeDirectories: RuntimeLibrary.includeDirectories,
                  exportedSymbols: ["rune_call", "rune_manifest"], linkerArguments: [])
    }

    @Test func compilesCIntoAWasmModule() throws {
        let product = try Toolchain().build(plan("""
            #include "rune.h"
            static int32_t values[4];
            RUNE_EXPORT("_call") int32_t rune_call(void) {
                for (int i = 0; i < 4; i++) values[i] = i * 3;
                return rune_output_write(0, 0, values, sizeof values);
            }
            """))
        #expect(Array(product.binary.prefix(4)) == [0x00, 0x61, 0x73, 0x6d])
        #expect(product.binary.count < 1024)
    }

    @Test func reportsClangErrorsWithLocations() throws {
        #expect {
            try Toolchain().build(plan("int f(void) { return undefined_name; }\n"))
        } throws: { error in
            guard case ToolchainError.compilation(_, let diagnostics) = error else { return false }
            return diagnostics.contains { $0.file == "/rune/main.c" && $0.line == 1 && $0.severity == .error }
        }
    }

    @Test func compilesTheSameSourceForCortexM() throws {
        let ir = try Toolchain().emitIR(plan("""
            #include "rune.h"
            #include "lib/rune_math.h"
            float g(float x) { return rune_expf(x); }
            RUNE_EXPORT("_call") int32_t rune_call(void) { return (int32_t)g(1.0f); }
            """, target: .cortexM7))
        #expect(ir.contains("thumbv7em"))
    }
}

/// `a * b + c` must stay a multiply and an add on every target: Cortex-M7 has VFMA, and a fused
/// result is rounded once instead of twice, so firmware and wasm would disagree in the last bit.
@Suite struct CortexMFloatContractionTests {
    func assembly(_ body: String) throws -> String {
        try Toolchain().emitAssembly(ToolchainTests().plan("""
            #include "rune.h"
            float kernel(float a, float b, float c) { \(body) }
            volatile float sink;
            RUNE_EXPORT("_call") int32_t rune_call(void) {
                sink = kernel(sink, sink, sink);
                return 0;
            }
            """, target: .cortexM7))
    }

    @Test func cortexMDoesNotFuseMultiplyAdd() throws {
        let code = try assembly("return a * b + c;")
        // VMLA (chained multiply-accumulate) rounds the product before adding, like wasm;
        // VFMA/VFMS/VFNMA/VFNMS round once.
        #expect(code.contains("vmla.f32") || (code.contains("vmul.f32") && code.contains("vadd.f32")), "\(code)")
        #expect(!code.contains("vfm") && !code.contains("vfnm"), "a * b + c was fused:\n\(code)")
    }

    /// The check above can see a fused multiply-add: an explicit fmaf becomes one.
    @Test func cortexMAssemblyShowsAnExplicitFMA() throws {
        #expect(try assembly("return __builtin_fmaf(a, b, c);").contains("vfma"))
    }
}
