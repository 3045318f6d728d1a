import RuneManifest

/// What the compiler knows about each ``CapabilityKind`` (defined, with its arguments and their
/// defaults, in `RuneManifest`): the argument schema with value ranges, the element types it can
/// produce, the tensor type its arguments imply, and a summary for help text.
extension CapabilityKind {
    var schema: ArgumentSchema { CapabilityCatalog.schemas[self]! }

    var elementTypes: [ElementType] {
        switch self {
        case .raw, .rand: [.u8, .i8, .u16, .i16, .u32, .i32, .u64, .i64, .f32, .f64]
        case .sound: [.i16, .f32]
        case .image: [.u8, .i8, .f32]
        case .accel: [.f32]
        }
    }

    /// The type implied by the arguments, when the Runefile does not declare one.
    func impliedType(_ element: ElementType?, _ arguments: ResolvedArguments) -> TensorType? {
        switch self {
        case .raw:
            guard let length = arguments.integer(.length) else { return nil }
            let type = element ?? .u8
            guard length % type.byteWidth == 0 else { return nil }
            return TensorType(type, [length / type.byteWidth])
        case .rand:
            return nil
        case .sound:
            return TensorType(element ?? .i16, [CapabilityCatalog.soundSamples(arguments)])
        case .image:
            guard let width = arguments.integer(.width), let height = arguments.integer(.height) else { return nil }
            let format = arguments.string(.pixelFormat).flatMap(PixelFormat.init(rawValue:)) ?? CapabilityArgument.defaultPixelFormat
            return TensorType(element ?? .u8, [height, width, format.channels])
        case .accel:
            return TensorType(element ?? .f32, [arguments.integer(.n) ?? CapabilityArgument.defaultAccelSamples, 3])
        }
    }

    public var summary: String {
        switch self {
        case .raw: "bytes from a file, reinterpreted as the declared type (little-endian)"
        case .rand: "deterministic pseudo-random values: floats uniform in [0, 1), integers over their whole range"
        case .sound: "audio from a WAV file, mixed to mono and resampled"
        case .image: "an image (PNG, BMP, JPEG), resized, as height x width x channels"
        case .accel: "accelerometer samples (x, y, z rows of a CSV file)"
        }
    }
}

/// The argument schemas of the capabilities: value ranges and help text, keyed by kind. Keys,
/// aliases and defaults come from ``CapabilityKind`` and ``CapabilityArgument``.
enum CapabilityCatalog {
    static let schemas: [CapabilityKind: ArgumentSchema] = Dictionary(uniqueKeysWithValues: CapabilityKind.allCases.map {
        ($0, ArgumentSchema($0.arguments.map(parameter(for: $0))))
    })

    /// `argument` of `kind`: its range, whether it is required, and its help text.
    private static func parameter(for kind: CapabilityKind) -> (CapabilityArgument) -> Parameter {
        { argument in
            let (value, required, summary): (Parameter.Kind, Bool, String) = switch argument {
            case .source:
                (.integer(0...255), false, "which of several inputs of this kind to read (the host's nth file); defaults to this capability's position among those of its kind")
            case .length:
                (.integer(1...(1 << 30)), false, "the input's size in bytes; must match the declared type")
            case .hz:
                (.integer(RuneLimits.sampleRates), false, "the sample rate the host resamples the recording to")
            case .sampleDurationMs:
                (.integer(1...600_000), false, "how much audio one reading holds, in milliseconds")
            case .samples:
                (.integer(1...(1 << 26)), false, "how many samples one reading holds (overrides sample_duration_ms)")
            case .sampleSize:
                (.integer(1...(1 << 26)), false, "how many consecutive recorded samples make up one reading; each group of sample_size / samples samples is averaged into one")
            case .width:
                (.integer(1...RuneLimits.maxImageSide), true, "the width the host resizes the image to")
            case .height:
                (.integer(1...RuneLimits.maxImageSide), true, "the height the host resizes the image to")
            case .pixelFormat:
                (.choice(PixelFormat.allCases.map(\.rawValue)), false, "channel order, or one luminance channel")
            case .n:
                (.integer(1...(1 << 20)), false, "how many x,y,z samples one reading holds")
            }
            return Parameter(argument.key, value, default: argument.defaultValue, required: required,
                             aliases: kind.aliases(of: argument), summary: summary)
        }
    }

    /// The number of samples a SOUND reading holds.
    static func soundSamples(_ arguments: ResolvedArguments) -> Int {
        if let samples = arguments.integer(.samples) { return samples }
        let hz = arguments.integer(.hz) ?? CapabilityArgument.defaultHz
        let milliseconds = arguments.integer(.sampleDurationMs) ?? CapabilityArgument.defaultSampleDurationMs
        return max(1, hz * milliseconds / 1000)
    }
}

extension ResolvedArguments {
    public subscript(key: CapabilityArgument) -> ResolvedValue? { self[key.key] }
    public func integer(_ key: CapabilityArgument) -> Int? { integer(key.key) }
    public func string(_ key: CapabilityArgument) -> String? { string(key.key) }
    public mutating func set(_ key: CapabilityArgument, _ value: ResolvedValue) { set(key.key, value) }
}
