import CLLVM
import CLLVMBridge
import Foundation
import Testing
@testable import RuneCompiler

/// The toolchain's crash recovery (CLLVMBridge's RuneRunSafely): a crash, a stack overflow or an
/// LLVM fatal error on the compiler's thread is an error, and the process keeps working.
@Suite struct CrashRecoveryTests {
    func plan(_ source: String) -> BuildPlan {
        BuildPlan(target: .wasm32, optimization: .size, debugInfo: false,
                  units: [.init(path: "/rune/main.c", source: source),
                          .init(path: RuntimeLibrary.path("lib/memory.c"), source: nil)],
                  headers: RuntimeLibrary.files, includeDirectories: RuntimeLibrary.includeDirectories,
                  exportedSymbols: ["rune_call"], linkerArguments: [])
    }

    static let working = """
        #include "rune.h"
        static int32_t values[4];
        RUNE_EXPORT("_call") int32_t rune_call(void) { return rune_output_write(0, 0, values, sizeof values); }
        """

    /// LLVM's report_fatal_error used to end the process (as "LLVM ERROR: Inline asm not supported
    /// by this streamer" did, before lld first registered every asm parser). The verifier, told
    /// to abort on a broken module, is a fatal error that any process can trigger.
    @Test func anLLVMFatalErrorIsAnError() throws {
        for _ in 0..<2 {
            var message: UnsafeMutablePointer<CChar>?
            let completed = RuneRunSafely({ _ in
                let context = LLVMContextCreate()
                let module = LLVMModuleCreateWithNameInContext("broken", context)
                let type = LLVMFunctionType(LLVMVoidTypeInContext(context), nil, 0, 0)
                let function = LLVMAddFunction(module, "f", type)
                _ = LLVMAppendBasicBlockInContext(context, function, "entry") // no terminator
                _ = LLVMVerifyModule(module, LLVMAbortProcessAction, nil)
            }, nil, &message)
            #expect(!completed)
            #expect(message.map { String(cString: $0) } == "LLVM fatal error: Broken module found, compilation aborted!")
            RuneDisposeMessage(message)
        }
        #expect(try Toolchain().build(plan(Self.working)).binary.count > 8)
    }

    @Test func aSegmentationFaultIsRecovered() throws {
        for _ in 0..<3 {
            var message: UnsafeMutablePointer<CChar>?
            let completed = RuneRunSafely({ _ in
                let pointer = UnsafeMutablePointer<Int>(bitPattern: 16)!
                pointer.pointee = 42
            }, nil, &message)
            #expect(!completed)
            #expect(message.map { String(cString: $0) } == "it crashed")
            RuneDisposeMessage(message)
        }
        var message: UnsafeMutablePointer<CChar>?
        #expect(RuneRunSafely({ _ in }, nil, &message))
        #expect(message == nil)
        #expect(try Toolchain().build(plan(Self.working)).binary.count > 8)
    }

    @Test func aStackOverflowIsRecovered() throws {
        var message: UnsafeMutablePointer<CChar>?
        let completed = RuneRunSafely({ _ in recurseForever(0) }, nil, &message)
        #expect(!completed)
        #expect(message.map { String(cString: $0) } == "it ran out of stack")
        RuneDisposeMessage(message)
        #expect(try Toolchain().build(plan(Self.working)).binary.count > 8)
    }

    /// clang trusts runec's own code; the check of the linked module trusts nobody.
    @Test func importsOutsideTheABIAreRefusedAfterLinking() {
        #expect {
            try Toolchain().build(plan("""
                #include "rune.h"
                __attribute__((import_module("env"), import_name("sneaky"))) int32_t sneaky(void);
                RUNE_EXPORT("_call") int32_t rune_call(void) { return sneaky(); }
                """))
        } throws: { error in
            guard case ToolchainError.link(let message) = error else { return false }
            return message.contains("'env.sneaky'")
        }
    }
}

@inline(never) func recurseForever(_ depth: Int) -> Int {
    var frame = (depth, depth, depth, depth, depth, depth, depth, depth)
    return withUnsafeMutableBytes(of: &frame) { recurseForever(depth + Int($0[0])) } + frame.1
}
