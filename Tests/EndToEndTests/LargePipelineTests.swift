import Foundation
import RuneTestSupport
import Testing

/// Pipelines past the optimised-glue threshold (256 stages) compile with unoptimised stage glue,
/// grouped and run from a table (see StageGlue in runec), and still compute exactly what a small
/// pipeline computes, on both engines and one stage at a time.
@Suite struct LargePipelineTests {
    /// A chain of `count` modulo blocks that leave small values unchanged.
    static func chain(_ count: Int) -> String {
        let names = (0..<count).map { "m\($0)" }
        return "FROM runicos/base\nCAPABILITY<F32[4]> input RAW\n"
            + names.map { "PROC_BLOCK<F32[4],F32[4]> \($0) hotg-ai/rune#proc-blocks/modulo --modulus 1000\n" }.joined()
            + "OUT serial\nRUN input \(names.joined(separator: " ")) serial\n"
    }

    /// 300 stages are four full groups of 64 and a partial one.
    @Test(arguments: [10, 300])
    func aLongChainComputesWhatAShortOneDoes(_ count: Int) throws {
        try compileAndRun(count, engines: ["interpreter", "aot"])
    }

    /// 10,000 stages once took LLVM over 20 s (quadratic passes on a function per stage and a
    /// 10,000-call `_call`); the grouped glue compiles in a few seconds even with a debug runec.
    /// Timing is left to scripts/bench-runec: this checks that it compiles and computes. The
    /// interpreter only, because translating 10,000 stages with a debug AOT engine takes 20 s.
    @Test func tenThousandStagesCompileAndCompute() throws {
        try compileAndRun(10_000, engines: ["interpreter"])
    }

    private func compileAndRun(_ count: Int, engines: [String]) throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let runefile = scratch.appendingPathComponent("Runefile")
        try Self.chain(count).write(to: runefile, atomically: true, encoding: .utf8)
        let c = try Executables.run("runec", [runefile.path, "--emit", "c"])
        #expect(c.status == 0, "\(c.standardError)")
        let grouped = count > 256
        #expect(c.standardOutput.contains("static int32_t rune_stage_group_0(uint32_t first, uint32_t end)") == grouped)
        #expect(c.standardOutput.contains("static int32_t rune_stage_1(void)") == !grouped)
        if grouped {
            #expect(c.standardOutput.contains("__attribute__((optnone, noinline)) static int32_t rune_stage_group_0("))
        }

        let rune = scratch.appendingPathComponent("chain.rune")
        let build = try Executables.run("runec", [runefile.path, "-o", rune.path])
        #expect(build.status == 0, "\(build.standardError)")
        let input = scratch.appendingPathComponent("input.bin")
        try Data([Float(1.5), 2, 3, 999].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }).write(to: input)
        let expected = #"{"serial":[{"type":"f32","dimensions":[4],"elements":[1.5,2,3,999]}]}"# + "\n"
        for engine in engines {
            let run = try Executables.run("rune", ["run", rune.path, "--raw", input.path, "--engine", engine, "--timeout", "10m"])
            #expect(run.status == 0, "\(engine): \(run.standardError)")
            #expect(run.standardOutput == expected, "\(engine)")
        }
        // --timings runs the stages one at a time through _stage(index), entering the groups
        // in the middle; it names every stage it timed.
        let staged = try Executables.run("rune", ["run", rune.path, "--raw", input.path, "--timings", "--timeout", "10m"])
        #expect(staged.status == 0, "\(staged.standardError)")
        #expect(staged.standardOutput == expected)
        #expect(staged.standardError.contains("m\(count - 1) (modulo)"))
    }
}
