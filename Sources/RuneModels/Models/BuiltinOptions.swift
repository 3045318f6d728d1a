/// The fused activation of an operator (schema `ActivationFunctionType`).
enum FusedActivation: Int8 {
    case none = 0, relu = 1, reluN1To1 = 2, relu6 = 3, tanh = 4, signBit = 5
}

/// `SAME` or `VALID` padding (schema `Padding`).
enum Padding: Int8 {
    case same = 0, valid = 1
}

/// Options of the operators runec compiles, read from an operator's `builtin_options` table.
/// Field numbers are the schema's field order.
struct ConvolutionOptions {
    var padding: Padding
    var strideWidth: Int
    var strideHeight: Int
    var dilationWidth: Int
    var dilationHeight: Int
    var depthMultiplier: Int
    var activation: FusedActivation

    /// CONV_2D: padding 0, stride_w 1, stride_h 2, activation 3, dilation_w 4, dilation_h 5.
    static func conv(_ table: FlatTable?) throws(FlatBuffer.Failure) -> ConvolutionOptions {
        ConvolutionOptions(
            padding: Padding(rawValue: try table?.int8(0) ?? 0) ?? .same,
            strideWidth: Int(try table?.int32(1) ?? 1), strideHeight: Int(try table?.int32(2) ?? 1),
            dilationWidth: Int(try table?.int32(4, default: 1) ?? 1), dilationHeight: Int(try table?.int32(5, default: 1) ?? 1),
            depthMultiplier: 1,
            activation: FusedActivation(rawValue: try table?.int8(3) ?? 0) ?? .none)
    }

    /// DEPTHWISE_CONV_2D: padding 0, stride_w 1, stride_h 2, depth_multiplier 3, activation 4,
    /// dilation_w 5, dilation_h 6.
    static func depthwise(_ table: FlatTable?) throws(FlatBuffer.Failure) -> ConvolutionOptions {
        ConvolutionOptions(
            padding: Padding(rawValue: try table?.int8(0) ?? 0) ?? .same,
            strideWidth: Int(try table?.int32(1) ?? 1), strideHeight: Int(try table?.int32(2) ?? 1),
            dilationWidth: Int(try table?.int32(5, default: 1) ?? 1), dilationHeight: Int(try table?.int32(6, default: 1) ?? 1),
            depthMultiplier: Int(try table?.int32(3) ?? 1),
            activation: FusedActivation(rawValue: try table?.int8(4) ?? 0) ?? .none)
    }

    /// Pools: padding 0, stride_w 1, stride_h 2, filter_w 3, filter_h 4, activation 5.
    static func pool(_ table: FlatTable?) throws(FlatBuffer.Failure) -> (ConvolutionOptions, filterWidth: Int, filterHeight: Int) {
        let options = ConvolutionOptions(
            padding: Padding(rawValue: try table?.int8(0) ?? 0) ?? .same,
            strideWidth: Int(try table?.int32(1) ?? 1), strideHeight: Int(try table?.int32(2) ?? 1),
            dilationWidth: 1, dilationHeight: 1, depthMultiplier: 1,
            activation: FusedActivation(rawValue: try table?.int8(5) ?? 0) ?? .none)
        return (options, Int(try table?.int32(3) ?? 1), Int(try table?.int32(4) ?? 1))
    }
}

extension FlatTable? {
    /// The fused activation stored at `field`, or none.
    func activation(_ field: Int) throws(FlatBuffer.Failure) -> FusedActivation {
        guard let table = self else { return .none }
        return FusedActivation(rawValue: try table.int8(field)) ?? .none
    }
}
