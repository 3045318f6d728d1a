import CLLVM
import CLLVMBridge
import Foundation
import RuneAOT
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

    /// `(module (memory 1) (func (export "load") (result i32) (i32.load (i32.const 70000))))`:
    /// an access past the one page, which the AOT engine's guard pages turn into a trap.
    static let outOfBoundsLoad: [UInt8] = [
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,                      // type () -> i32
        0x03, 0x02, 0x01, 0x00,                                        // one function
        0x05, 0x03, 0x01, 0x00, 0x01,                                  // memory: 1 page
        0x07, 0x08, 0x01, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x00,    // export "load"
        0x0a, 0x0b, 0x01, 0x09, 0x00, 0x41, 0xf0, 0xa2, 0x04, 0x28, 0x02, 0x00, 0x0b,
    ]

    /// The compiler's crash recovery and the AOT engine's guard pages share SIGSEGV (with LLVM's
    /// own handlers, which lld registers when it links). A crash recovered on the compiler's side
    /// must leave a rune's out-of-bounds access a trap, and the other way round.
    @Test func recoveredCrashesAndRuneTrapsAlternate() throws {
        let instance = try AOTInstance(module: try AOTModule(bytes: Self.outOfBoundsLoad), store: AOTStore()) { _, _ in nil }
        for _ in 0..<3 {
            do {
                _ = try instance.invoke("load", [])
                Issue.record("the out-of-bounds load did not trap")
            } catch let trap as AOTTrap {
                #expect(trap.reason == "out of bounds memory access")
            }
            #expect(Self.recoverFromASegmentationFault() == "it crashed")
        }
    }

    /// The same at once on two threads. A rune's fault used to reach LLVM's crash-recovery
    /// handler first when a compilation had installed it over the guard-page handler; outside
    /// any recovery context LLVM switched recovery off for the whole process, and a crash that
    /// a compilation on the other thread was recovering from in that moment ended the process
    /// (seen once in CI as signal 11). Now the guard-page handler is put back in front.
    @Test func recoveredCrashesAndRuneTrapsOnTwoThreads() throws {
        let instance = Box(try AOTInstance(module: try AOTModule(bytes: Self.outOfBoundsLoad), store: AOTStore()) { _, _ in nil })
        let rounds = 300
        let traps = SharedCounter(), recoveries = SharedCounter()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            for _ in 0..<rounds {
                if (try? instance.value.invoke("load", [])) == nil { traps.add() }
            }
        }
        DispatchQueue.global().async(group: group) {
            for _ in 0..<rounds {
                // Busy a while before crashing, so a switch of recovery elsewhere can fall inside.
                if Self.recoverFromASegmentationFault(afterSpinning: 20_000) == "it crashed" { recoveries.add() }
            }
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        #expect(traps.value == rounds)
        #expect(recoveries.value == rounds)
    }

    /// The instance, used by one thread only.
    final class Box<Value>: @unchecked Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    final class SharedCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.lock(); count += 1; lock.unlock() }
        var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    }

    /// Writes through a bad pointer under RuneRunSafely: what it reports, or nil if the body
    /// completed.
    static func recoverFromASegmentationFault(afterSpinning spins: Int = 0) -> String? {
        var message: UnsafeMutablePointer<CChar>?
        var count = spins
        let completed = withUnsafeMutablePointer(to: &count) { count in
            RuneRunSafely({ context in
                var sum = 0
                for i in 0..<(context?.load(as: Int.self) ?? 0) { sum &+= i }
                withExtendedLifetime(sum) {}
                let pointer = UnsafeMutablePointer<Int>(bitPattern: 16)!
                pointer.pointee = 42
            }, count, &message)
        }
        defer { RuneDisposeMessage(message) }
        return completed ? nil : message.map { String(cString: $0) } ?? ""
    }

    @Test func aSegmentationFaultIsRecovered() throws {
        for _ in 0..<3 {
            #expect(Self.recoverFromASegmentationFault() == "it crashed")
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
