@testable import RuneModels
import Testing

/// The pointwise filter layout of the Cortex-M DSP kernel, as runec writes it: the C kernel
/// (Runtime/kernels/optimized/pointwise_dsp.h) reads exactly this order, and its C test lays
/// out its random filters with the C twin of `index`.
@Suite struct DSPWeightLayoutTests {
    @Test func laysOutFourChannelsAtATimeInTheOrderSXTB16UnpacksTheInput() {
        // Five channels of six inputs: weight (c, k) is 10 c + k.
        let layout = DSPWeightLayout(channels: 5, depth: 6)
        let values = (0..<5).flatMap { c in (0..<6).map { k in 10 * c + k } }
        let expected = [
            // Channels 0-3: inputs 0-3 as lanes 0, 2, 1, 3 per channel, then inputs 4 and 5.
            0, 2, 1, 3, 10, 12, 11, 13, 20, 22, 21, 23, 30, 32, 31, 33,
            4, 14, 24, 34, 5, 15, 25, 35,
            // Channel 4, and three channels of zeros.
            40, 42, 41, 43, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            44, 0, 0, 0, 45, 0, 0, 0,
        ]
        #expect(layout.count == expected.count)
        #expect(layout.lay(values, zero: 0) == expected)
    }

    @Test func onlyInt8PointwiseConvolutionsTakeIt() {
        func conv(_ kernel: String, filter: Int, stride: Int, pad: Int) -> KernelCall {
            let params = ConvParams(batches: 1, inputHeight: 4, inputWidth: 4, inputDepth: 8, filterHeight: filter,
                                    filterWidth: filter, outputHeight: 4, outputWidth: 4, outputDepth: 16,
                                    strideHeight: stride, strideWidth: stride, dilationHeight: 1, dilationWidth: 1,
                                    padHeight: pad, padWidth: pad, depthMultiplier: 1, range: .integer(min: -128, max: 127))
            return .convolution(kernel: kernel, depthwise: false, params, input: 0, filter: 1, bias: 2, output: 3)
        }
        #expect(conv("rune_conv_2d_s8", filter: 1, stride: 1, pad: 0).dspLayoutCandidate?.layout == DSPWeightLayout(channels: 16, depth: 8))
        #expect(conv("rune_conv_2d_s8", filter: 3, stride: 1, pad: 1).dspLayoutCandidate == nil)
        #expect(conv("rune_conv_2d_s8", filter: 1, stride: 2, pad: 0).dspLayoutCandidate == nil)
        #expect(conv("rune_conv_2d_u8", filter: 1, stride: 1, pad: 0).dspLayoutCandidate == nil)
        #expect(conv("rune_conv_2d_f32", filter: 1, stride: 1, pad: 0).dspLayoutCandidate == nil)
    }
}
