import Foundation
import RuneTestSupport
import Testing

/// Pipelines past the optimised-glue threshold (256 stages) compile with unoptimised stage glue
/// and still compute exactly what a small pipeline computes.
@Suite struct LargePipelineTests {
    /// A chain of `count` modulo blocks that leave small values unchanged.
    static func chain(_ count: Int) -> String {
        let names = (0..<count).map { "m\($0)" }
        return "FROM runicos/base\nCAPABILITY<F32[4]> input RAW\n"
            + names.map { "PROC_BLOCK<F32[4],F32[4]> \($0) hotg-ai/rune#proc-blocks/modulo --modulus 1000\n" }.joined()
            + "OUT serial\nRUN input \(names.joined(separator: " ")) serial\n"
    }

    @Test(arguments: [10, 300])
    func aLongChainComputesWhatAShortOneDoes(_ count: Int) throws {
        let scratch = try Executables.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let runefile = scratch.appendingPathComponent("Runefile")
        try Self.chain(count).write(to: runefile, atomically: true, encoding: .utf8)
        let c = try Executables.run("runec", [runefile.path, "--emit", "c"])
        #expect(c.status == 0, "\(c.standardError)")
        #expect(c.standardOutput.contains("__attribute__((optnone, noinline)) static int32_t rune_stage_1(void)") == (count > 256))

        let rune = scratch.appendingPathComponent("chain.rune")
        let build = try Executables.run("runec", [runefile.path, "-o", rune.path])
        #expect(build.status == 0, "\(build.standardError)")
        let input = scratch.appendingPathComponent("input.bin")
        try Data([Float(1.5), 2, 3, 999].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }).write(to: input)
        for engine in ["interpreter", "aot"] {
            let run = try Executables.run("rune", ["run", rune.path, "--raw", input.path, "--engine", engine, "--timeout", "10m"])
            #expect(run.status == 0, "\(engine): \(run.standardError)")
            #expect(run.standardOutput == #"{"serial":[{"type":"f32","dimensions":[4],"elements":[1.5,2,3,999]}]}"# + "\n", "\(engine)")
        }
    }
}
