/// The int8 weights of a pointwise CONV_2D (1x1 filter, stride 1, no padding) as the Cortex-M
/// DSP kernel `rune_conv_2d_s8_dsp_pointwise_packed` reads them
/// (`Runtime/kernels/optimized/pointwise_dsp.h`): already unpacked to int16, in the order in
/// which SXTB16 unpacks the input, four output channels at a time, so that the kernel's inner
/// loop unpacks only the input.
///
/// The generated C holds such a constant twice, `#ifdef RUNE_KERNELS_DSP` this layout and the
/// call to the DSP kernel, `#else` the model's layout and the usual call: the same C serves
/// wasm32, the host and Cortex-M, and only one of the two is compiled into a binary. The layout
/// takes two bytes per weight: on person_detect, 199 KB more flash (276 KB -> 475 KB of
/// firmware) for about a tenth fewer instructions per inference.
struct DSPWeightLayout: Equatable, Sendable {
    var channels: Int
    var depth: Int

    /// The kernel that reads weights in this layout.
    static let kernel = "rune_conv_2d_s8_dsp_pointwise_packed"

    /// int16 values in the layout: the channels are padded to a multiple of four with zeros.
    var count: Int { (channels + 3) / 4 * 4 * depth }

    /// Where the weight of output channel `channel` for input channel `k` goes; the C twin is
    /// `rune_dsp_pointwise_layout_index`. Blocks of four input channels hold each channel's
    /// lanes k, k+2, k+1, k+3, channel after channel; the last depth % 4 inputs follow, the
    /// four channels' weights for each.
    func index(channel: Int, k: Int) -> Int {
        let group = channel / 4 * 4 * depth, member = channel % 4
        let blocks = depth / 4 * 4
        if k < blocks { return group + k / 4 * 16 + member * 4 + [0, 2, 1, 3][k % 4] }
        return group + blocks * 4 + (k - blocks) * 4 + member
    }

    /// `values`, the model's `[channels][depth]`, in the layout, padded with `zero`.
    func lay<Element>(_ values: [Element], zero: Element) -> [Element] {
        precondition(values.count == channels * depth, "a laid-out constant has \(values.count) elements, not \(channels) x \(depth)")
        var laid = Array(repeating: zero, count: count)
        for channel in 0..<channels {
            for k in 0..<depth { laid[index(channel: channel, k: k)] = values[channel * depth + k] }
        }
        return laid
    }

    /// The constants that get this layout on DSP targets: those that every step reading them
    /// reads as the filter of an int8 pointwise CONV_2D of one shape.
    static func find(in steps: [KernelStep], model: TFLiteModel) -> [Int: DSPWeightLayout] {
        unanimousLayouts(of: steps, model: model) { $0.dspLayoutCandidate }
    }
}

extension KernelCall {
    /// The filter this call could read in the DSP layout: an int8 CONV_2D with a 1x1 filter,
    /// stride 1 and no padding, whose filter is `[output depth][input depth]` (on the other
    /// targets, packed for rune_conv_2d_s8_packed where WeightPacking packs it).
    var dspLayoutCandidate: (filter: Int, layout: DSPWeightLayout)? {
        guard case .convolution(let kernel, false, let params, _, let filter, _, _) = self,
              kernel == "rune_conv_2d_s8" || kernel == "rune_conv_2d_s8_packed",
              params.filterHeight == 1, params.filterWidth == 1, params.strideHeight == 1, params.strideWidth == 1,
              params.padHeight == 0, params.padWidth == 0 else { return nil }
        return (filter, DSPWeightLayout(channels: params.outputDepth, depth: params.inputDepth))
    }

    /// This call on the DSP kernel that reads its filter in the layout.
    var onDSPLayout: KernelCall {
        guard case .convolution(_, let depthwise, let params, let input, let filter, let bias, let output) = self else { return self }
        return .convolution(kernel: DSPWeightLayout.kernel, depthwise: depthwise, params, input: input, filter: filter,
                            bias: bias, output: output)
    }
}
