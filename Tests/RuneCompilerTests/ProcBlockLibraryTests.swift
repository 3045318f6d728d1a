@testable import RuneCompiler
@testable import RuneFrontEnd
import RuneManifest
import Testing

/// The block library's names, typing rules and the tables blocks compute at compile time.
@Suite struct ProcBlockLibraryTests {
    @Test(arguments: ["runicos/fft", "hotg-ai/rune#proc-blocks/fft", "hotg-ai/proc-blocks@v0.11.3#fft", "fft", "FFT"])
    func namesUsedInTheWildResolve(_ reference: String) {
        #expect(ProcBlockCatalog.block(named: reference)?.name == "fft")
    }

    @Test func dashesAndUnderscoresAreOneName() {
        #expect(ProcBlockCatalog.block(named: "hotg-ai/rune#proc-blocks/noise-filtering")?.name == "noise_filtering")
        #expect(ProcBlockCatalog.block(named: "image-normalization")?.name == "image_normalization")
        #expect(ProcBlockCatalog.block(named: "hotg-ai/rune#proc-blocks/smoothing") == nil)
    }

    /// The PCAN gain table the original block builds, as its own tests published it.
    @Test func gainTableMatchesTheOriginal() {
        let table = NoiseFiltering.gainTable(strength: 0.95, offset: 80, gainBits: 21, smoothingBits: 10)
        #expect(table.count == 125)
        #expect(Array(table.prefix(26)) == [32636, 32636, 32635, 0, 0, 0, 32635, 1, -2, 0, 32634, 1, -2, 0,
                                            32633, -5, 2, 0, 32630, -6, 0, 0, 32624, -12, 0, 0])
        #expect(Array(table.suffix(7)) == [8, -8, 4, 0, 4, -2, 0])
        #expect(NoiseFiltering.scaled(0.025) == 409 && NoiseFiltering.scaled(0.06) == 983 && NoiseFiltering.scaled(0.05) == 819)
    }

    @Test func fftPlanCoversTheClipWith49Windows() throws {
        let plan = try FFT.plan(samples: 16000, arguments: ResolvedArguments())
        #expect(plan.fftLength == 512 && plan.fftBits == 9)
        #expect(plan.columnOffsets.count == 49)
        #expect(Array(plan.columnOffsets.prefix(3)) == [0, 318, 636])
        #expect(plan.columnOffsets.allSatisfy { $0 + 480 <= 16062 })
        #expect(plan.rowBins.count == 241 && plan.rowBins.first == 0 && plan.rowBins.last == 254)
        #expect(plan.coefficients.count == 40)
        // Each triangle is normalised by its width: its taps sum to about half its peak height.
        for taps in plan.coefficients { #expect(!taps.isEmpty && taps.allSatisfy { $0 >= 0 }) }
    }

    /// Like the original, a clip with fewer than 49 windows repeats windows to fill 49 columns.
    @Test func fftStretchesShortClips() throws {
        let plan = try FFT.plan(samples: 4000, arguments: ResolvedArguments())
        #expect(plan.columnOffsets.count == 49)
        #expect(Array(plan.columnOffsets.prefix(6)) == [0, 0, 0, 159, 159, 318])
    }

    @Test func typingRules() throws {
        let none = ResolvedArguments()
        #expect(try Label().outputTypes(inputs: [TensorType(.u32, [3])], arguments: none, declared: nil) == [TensorType(.utf8, [3])])
        #expect(throws: ProcBlockTypeError.self) { try Label().outputTypes(inputs: [TensorType(.f32, [3])], arguments: none, declared: nil) }
        #expect(try NoiseFiltering().outputTypes(inputs: [TensorType(.u32, [1960])], arguments: none, declared: nil) == [TensorType(.i8, [1960])])
        #expect(try ImageNormalization().outputTypes(inputs: [TensorType(.u8, [96, 96])], arguments: none, declared: nil) == [TensorType(.f32, [96, 96])])
        var modulus = ResolvedArguments()
        modulus.set("modulus", .float(0))
        #expect(throws: ProcBlockTypeError.self) { try Modulo().outputTypes(inputs: [TensorType(.f32, [1])], arguments: modulus, declared: nil) }
    }
}
