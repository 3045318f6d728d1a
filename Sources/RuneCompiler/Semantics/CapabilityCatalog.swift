import RuneManifest

/// A kind of sensor input a rune can ask its host for.
public struct CapabilityKind: Sendable, Hashable {
    /// The canonical upper-case name stored in the manifest: `SOUND`.
    public let name: String
    let aliases: [String]
    let schema: ArgumentSchema
    let elementTypes: [ElementType]
    /// The type implied by the arguments, when the Runefile does not declare one.
    let impliedType: @Sendable (ElementType?, ResolvedArguments) -> TensorType?
    public let summary: String

    public static func == (lhs: CapabilityKind, rhs: CapabilityKind) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// The capabilities runec knows, with what each accepts.
public enum CapabilityCatalog {
    static let source = Parameter("source", .integer(0...255), summary:
        "which of several inputs of this kind to read (the host's nth file); defaults to this capability's position among those of its kind")

    public static let all: [CapabilityKind] = [raw, rand, sound, image, accel]

    static let raw = CapabilityKind(
        name: "RAW", aliases: [],
        schema: ArgumentSchema([
            Parameter("length", .integer(1...(1 << 30)), summary: "the input's size in bytes; must match the declared type"),
            source,
        ]),
        elementTypes: [.u8, .i8, .u16, .i16, .u32, .i32, .u64, .i64, .f32, .f64],
        impliedType: { element, arguments in
            guard let length = arguments.integer("length") else { return nil }
            let type = element ?? .u8
            guard length % type.byteWidth == 0 else { return nil }
            return TensorType(type, [length / type.byteWidth])
        },
        summary: "bytes from a file, reinterpreted as the declared type (little-endian)")

    static let rand = CapabilityKind(
        name: "RAND", aliases: ["RANDOM"],
        schema: ArgumentSchema([source]),
        elementTypes: [.u8, .i8, .u16, .i16, .u32, .i32, .u64, .i64, .f32, .f64],
        impliedType: { _, _ in nil },
        summary: "deterministic pseudo-random values: floats uniform in [0, 1), integers over their whole range")

    static let sound = CapabilityKind(
        name: "SOUND", aliases: ["AUDIO"],
        schema: ArgumentSchema([
            Parameter("hz", .integer(RuneLimits.sampleRates), default: "16000", aliases: ["sample_rate"],
                      summary: "the sample rate the host resamples the recording to"),
            Parameter("sample_duration_ms", .integer(1...600_000), default: "1000", aliases: ["duration_ms"],
                      summary: "how much audio one reading holds, in milliseconds"),
            Parameter("samples", .integer(1...(1 << 26)),
                      summary: "how many samples one reading holds (overrides sample_duration_ms)"),
            Parameter("sample_size", .integer(1...(1 << 26)),
                      summary: "how many consecutive recorded samples make up one reading; each group of sample_size / samples samples is averaged into one"),
            source,
        ]),
        elementTypes: [.i16, .f32],
        impliedType: { element, arguments in
            TensorType(element ?? .i16, [CapabilityCatalog.soundSamples(arguments)])
        },
        summary: "audio from a WAV file, mixed to mono and resampled")

    static let image = CapabilityKind(
        name: "IMAGE", aliases: [],
        schema: ArgumentSchema([
            Parameter("width", .integer(1...RuneLimits.maxImageSide), required: true, summary: "the width the host resizes the image to"),
            Parameter("height", .integer(1...RuneLimits.maxImageSide), required: true, summary: "the height the host resizes the image to"),
            Parameter("pixel_format", .choice(["RGB", "BGR", "GrayScale"]), default: "RGB",
                      summary: "channel order, or one luminance channel"),
            source,
        ]),
        elementTypes: [.u8, .i8, .f32],
        impliedType: { element, arguments in
            guard let width = arguments.integer("width"), let height = arguments.integer("height") else { return nil }
            let channels = arguments.string("pixel_format") == "GrayScale" ? 1 : 3
            return TensorType(element ?? .u8, [height, width, channels])
        },
        summary: "an image (PNG, BMP, JPEG), resized, as height x width x channels")

    static let accel = CapabilityKind(
        name: "ACCEL", aliases: ["ACCELEROMETER"],
        schema: ArgumentSchema([
            Parameter("n", .integer(1...(1 << 20)), default: "128", aliases: ["samples"],
                      summary: "how many x,y,z samples one reading holds"),
            source,
        ]),
        elementTypes: [.f32],
        impliedType: { element, arguments in
            TensorType(element ?? .f32, [arguments.integer("n") ?? 128, 3])
        },
        summary: "accelerometer samples (x, y, z rows of a CSV file)")

    /// The number of samples a SOUND reading holds.
    static func soundSamples(_ arguments: ResolvedArguments) -> Int {
        if let samples = arguments.integer("samples") { return samples }
        let hz = arguments.integer("hz") ?? 16000
        let milliseconds = arguments.integer("sample_duration_ms") ?? 1000
        return max(1, hz * milliseconds / 1000)
    }

    /// Looks a kind up by name or alias, case-insensitively.
    public static func kind(named name: String) -> CapabilityKind? {
        let upper = name.uppercased()
        return all.first { $0.name == upper || $0.aliases.contains(upper) }
    }
}
