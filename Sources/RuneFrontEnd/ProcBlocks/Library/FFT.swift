import Foundation
import RuneManifest
import RuneModels

/// `fft`: one second of 16-bit audio to the 49 x 40 mel spectrogram the micro_speech model expects.
///
/// Everything that depends only on the arguments (where each window starts, which FFT bin each
/// power-spectrum row reads, the mel filterbank) is computed here at compile time, with the same
/// f32/f64 arithmetic as the original Rune block, and emitted as constant tables.
struct FFT: ProcBlock {
    let name = "fft"
    let summary = "short-time Fourier transform and a 40-filter mel filterbank: I16[n] -> U32[1960]"
    let schema = ArgumentSchema([
        Parameter("sample_rate", .integer(1...384_000), default: "16000", summary: "the audio's sample rate in Hz"),
        Parameter("bins", .integer(2...4096), default: "480", summary: "samples per FFT window"),
        Parameter("window_overlap", .float(0...0.99), default: "0.6666667",
                  summary: "the fraction of a window shared with the next, in [0, 1)"),
    ])

    /// The original block's fixed geometry: 49 windows, 241 power rows, 40 mel filters.
    static let columns = 49
    static let rows = 241
    static let filters = 40

    struct Plan {
        var fftLength: Int
        var fftBits: Int
        var columnOffsets: [Int]
        var rowBins: [Int]
        var filterFirst: [Int]
        var coefficients: [[Double]]
    }

    func outputTypes(inputs: [TensorType], arguments: ResolvedArguments,
                     declared: [TensorType]?) throws(ProcBlockTypeError) -> [TensorType] {
        let input = try BlockTyping.single(inputs, [.i16])
        _ = try FFT.plan(samples: input.elementCount, arguments: arguments)
        return [BlockTyping.shaped(.u32, count: FFT.columns * FFT.filters, declared: declared,
                                   fallback: [FFT.columns * FFT.filters])]
    }

    static func plan(samples: Int, arguments: ResolvedArguments) throws(ProcBlockTypeError) -> Plan {
        let sampleRate = arguments.integer("sample_rate") ?? 16000
        let bins = arguments.integer("bins") ?? 480
        let overlap = Float(arguments.float("window_overlap") ?? 0.6666667)
        let step = Int(Float(bins) * (1.0 - overlap))
        guard step >= 1 else {
            throw ProcBlockTypeError("has a window step of 0 samples", help: "lower --window-overlap or raise --bins")
        }
        // Pad the clip so the windows tile it, then count the windows and spread 49 over them.
        var padded = 0
        while padded + bins < samples { padded += step }
        if padded != samples { padded += bins }
        var position = 0, chunks = 0
        while position + bins <= padded { position += step; chunks += 1 }
        if position == padded { chunks -= 1 }
        let ratio = Float(chunks) / Float(columns)
        var offsets: [Int] = []
        var j: Float = 0
        while j < Float(chunks), offsets.count < columns {
            offsets.append(Int(j) * step)
            j += ratio
        }
        guard offsets.count == columns else {
            throw ProcBlockTypeError("needs at least \(columns) windows of \(bins) samples but \(samples) samples give \(chunks)",
                                     help: "give it a longer input or fewer --bins")
        }
        var fftLength = 2, fftBits = 1
        while fftLength < bins { fftLength *= 2; fftBits += 1 }
        let half = Float(fftLength) * 0.5
        let rowBins = (0..<rows).map { Int((Float($0) / Float(rows)) * half) }

        // The mel filterbank: triangles evenly spaced on the mel scale from the lowest resolvable
        // frequency to Nyquist, each normalised by its width.
        func mel(_ hertz: Double) -> Double { 2595 * log10(1 + hertz / 700) }
        func hertz(_ mel: Double) -> Double { 700 * (pow(10, mel / 2595) - 1) }
        let minHertz = Double(sampleRate) / Double(bins), maxHertz = Double(sampleRate) / 2
        let low = mel(minHertz), high = mel(maxHertz)
        let spacing = (high - low) / Double(filters + 1)
        let points = (0..<(filters + 2)).map { low + spacing * Double($0) }
        var first: [Int] = [], coefficients: [[Double]] = []
        for filter in 0..<filters {
            let start = Int((hertz(points[filter]) / maxHertz * Double(rows)).rounded(.down))
            let end = Int((hertz(points[filter + 2]) / maxHertz * Double(rows)).rounded(.down))
            let size = max(end - start, 1)
            var taps: [Double] = []
            for index in 0..<size where start + index < rows {
                let triangle = 1 - abs((Double(index) - Double(size - 1) / 2) / (Double(size) / 2))
                taps.append(triangle / Double(size))
            }
            first.append(min(start, rows - 1))
            coefficients.append(taps)
        }
        return Plan(fftLength: fftLength, fftBits: fftBits, columnOffsets: offsets, rowBins: rowBins,
                    filterFirst: first, coefficients: coefficients)
    }

    func emit(_ use: ProcBlockUse) -> ProcBlockCode {
        let input = use.inputs[0]
        // outputTypes accepted these arguments, so planning cannot fail here.
        guard let plan = try? FFT.plan(samples: input.type.elementCount, arguments: use.arguments) else {
            preconditionFailure("fft planned during checking but not during code generation")
        }
        let s = use.symbol
        let n = plan.fftLength
        let declarations = [
            BlockTyping.constantArray("\(s)_offsets", "uint32_t", plan.columnOffsets.map(String.init)),
            BlockTyping.constantArray("\(s)_row_bins", "uint16_t", plan.rowBins.map(String.init), perLine: 16),
            BlockTyping.constantArray("\(s)_filter_first", "uint16_t", plan.filterFirst.map(String.init), perLine: 16),
            BlockTyping.constantArray("\(s)_filter_taps", "uint16_t", plan.coefficients.map { String($0.count) }, perLine: 16),
            BlockTyping.constantArray("\(s)_coefficients", "double", plan.coefficients.joined().map(CLiteral.double), perLine: 4),
            "static float \(s)_real[\(n)], \(s)_imaginary[\(n)], \(s)_window[\(n)];",
            "static float \(s)_cosines[\(n / 2)], \(s)_sines[\(n / 2)], \(s)_power[\(n / 2)];",
            "static double \(s)_mel[\(FFT.columns * FFT.filters)];",
            "static uint32_t \(s)_initialized;",
            """
            static const rune_fft_plan \(s)_plan = {
                \(input.type.elementCount), \(use.arguments.integer("bins") ?? 480), \(n), \(plan.fftBits),
                \(FFT.columns), \(s)_offsets, \(FFT.rows), \(s)_row_bins,
                \(FFT.filters), \(s)_filter_first, \(s)_filter_taps, \(s)_coefficients,
            };
            static const rune_fft_scratch \(s)_scratch = {
                \(s)_real, \(s)_imaginary, \(s)_window, \(s)_cosines, \(s)_sines, \(s)_power, \(s)_mel, &\(s)_initialized,
            };
            """,
        ]
        return ProcBlockCode(
            includes: ["blocks/fft.h"],
            declarations: declarations.joined(separator: "\n"),
            call: "rune_block_fft(&\(s)_plan, &\(s)_scratch, \(input.buffer), \(use.outputs[0].buffer))")
    }
}
