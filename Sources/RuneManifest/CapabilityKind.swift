/// The one definition of what a rune can ask its host for: capability kinds, their argument keys
/// and defaults, pixel formats and output kinds.
///
/// The manifest spells all of these as text (`SOUND`, `hz`, `GrayScale`, `SERIAL`), and its bytes
/// do not change; these types are how Swift code names them, so adding a kind is a compile error
/// at every `switch` that must handle it (the compiler's catalog, the host, the sensor
/// converters, the firmware planner). C gets the integer IDs from `Runtime/include/rune_kinds.h`,
/// which is generated from these enums (``RuneKindsHeader``) and checked by a test.

/// A kind of sensor input: the `KIND` of `CAPABILITY<I16[16000]> audio SOUND`.
public enum CapabilityKind: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case raw = "RAW"
    case rand = "RAND"
    case sound = "SOUND"
    case image = "IMAGE"
    case accel = "ACCEL"

    /// The canonical upper-case spelling stored in the manifest: `SOUND`.
    public var name: String { rawValue }
    public var description: String { rawValue }

    /// The stable integer ID C code uses (`RUNE_CAPABILITY_KIND_SOUND`); 0 is no known kind.
    /// Never renumber: firmware and hosts may be built apart.
    public var id: UInt8 {
        switch self {
        case .raw: 1
        case .rand: 2
        case .sound: 3
        case .image: 4
        case .accel: 5
        }
    }

    /// Other spellings a Runefile may use (as the original Rune wrote them), upper case.
    public var aliases: [String] {
        switch self {
        case .raw, .image: []
        case .rand: ["RANDOM"]
        case .sound: ["AUDIO"]
        case .accel: ["ACCELEROMETER"]
        }
    }

    /// The kind of this ID, or nil.
    public init?(id: UInt8) {
        guard let kind = Self.allCases.first(where: { $0.id == id }) else { return nil }
        self = kind
    }

    /// The kind spelled exactly as a manifest stores it (`SOUND`), or nil.
    public init?(manifestName: String) { self.init(rawValue: manifestName) }

    /// The kind named `name` or one of its aliases, in any case (`sound`, `Audio`), or nil.
    public init?(named name: String) {
        let upper = name.uppercased()
        guard let kind = Self.allCases.first(where: { $0.rawValue == upper || $0.aliases.contains(upper) }) else { return nil }
        self = kind
    }

    /// The arguments this kind takes, in the order they are resolved and written to the manifest
    /// (`source` last).
    public var arguments: [CapabilityArgument] {
        switch self {
        case .raw: [.length, .source]
        case .rand: [.source]
        case .sound: [.hz, .sampleDurationMs, .samples, .sampleSize, .source]
        case .image: [.width, .height, .pixelFormat, .source]
        case .accel: [.n, .source]
        }
    }

    /// Other spellings of `argument` this kind accepts (normalized: lower case, `_`).
    public func aliases(of argument: CapabilityArgument) -> [String] {
        switch (self, argument) {
        case (.sound, .hz): ["sample_rate"]
        case (.sound, .sampleDurationMs): ["duration_ms"]
        case (.accel, .n): ["samples"]
        default: []
        }
    }
}

/// An argument key of a capability, as the manifest spells it (normalized: lower case, `_`).
public enum CapabilityArgument: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// Every kind: which of several inputs of its kind to read.
    case source
    /// RAW: the input's size in bytes.
    case length
    /// SOUND: the sample rate.
    case hz
    /// SOUND: how much audio one reading holds.
    case sampleDurationMs = "sample_duration_ms"
    /// SOUND: how many samples one reading holds.
    case samples
    /// SOUND: how many recorded samples make up one reading.
    case sampleSize = "sample_size"
    /// IMAGE: the size the image is resized to.
    case width, height
    /// IMAGE: a ``PixelFormat``.
    case pixelFormat = "pixel_format"
    /// ACCEL: how many x,y,z samples one reading holds.
    case n

    /// The key as the manifest stores it: `pixel_format`.
    public var key: String { rawValue }
    public var description: String { rawValue }

    /// The default of an argument that has one, as the manifest spells it; nil when the argument
    /// is required or optional without a default. The typed values are the constants below.
    public var defaultValue: String? {
        switch self {
        case .hz: String(Self.defaultHz)
        case .sampleDurationMs: String(Self.defaultSampleDurationMs)
        case .pixelFormat: Self.defaultPixelFormat.rawValue
        case .n: String(Self.defaultAccelSamples)
        case .source, .length, .samples, .sampleSize, .width, .height: nil
        }
    }

    /// SOUND `hz` when not given.
    public static let defaultHz = 16000
    /// SOUND `sample_duration_ms` when not given.
    public static let defaultSampleDurationMs = 1000
    /// IMAGE `pixel_format` when not given.
    public static let defaultPixelFormat = PixelFormat.rgb
    /// ACCEL `n` when not given.
    public static let defaultAccelSamples = 128
}

/// The pixel layouts an IMAGE capability can ask for (`pixel_format`).
public enum PixelFormat: String, CaseIterable, Sendable, Hashable {
    case rgb = "RGB", bgr = "BGR", grayScale = "GrayScale"

    /// Channels per pixel: 3, or 1 for grey.
    public var channels: Int {
        switch self {
        case .rgb, .bgr: 3
        case .grayScale: 1
        }
    }
}

/// A kind of sink for a rune's results: the `KIND` of `OUT serial`.
public enum OutputKind: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case serial = "SERIAL"

    /// The canonical upper-case spelling stored in the manifest: `SERIAL`.
    public var name: String { rawValue }
    public var description: String { rawValue }

    /// The stable integer ID C code uses (`RUNE_OUTPUT_KIND_SERIAL`); 0 is no known kind.
    public var id: UInt8 {
        switch self {
        case .serial: 1
        }
    }

    /// The kind named `name`, in any case, or nil.
    public init?(named name: String) { self.init(rawValue: name.uppercased()) }
}

extension Manifest.Capability {
    /// The capability's kind, or nil when the manifest names one this code does not know.
    public var kindID: CapabilityKind? { CapabilityKind(manifestName: kind) }

    /// The value of argument `key`, if the manifest gives it.
    public func argument(_ key: CapabilityArgument) -> String? { argument(key.key) }

    public init(name: String, kind: CapabilityKind, tensor: TensorType, arguments: [Manifest.Argument]) {
        self.init(name: name, kind: kind.name, tensor: tensor, arguments: arguments)
    }
}

extension Manifest.Output {
    /// The output's kind, or nil when the manifest names one this code does not know.
    public var kindID: OutputKind? { OutputKind(rawValue: kind) }
}

/// `Runtime/include/rune_kinds.h`: the kinds' integer IDs and spellings for C, generated from
/// ``CapabilityKind`` and ``OutputKind``. The file is checked in (the C unit tests and every
/// board include it without runec) and a test fails when it is not exactly ``text``.
public enum RuneKindsHeader {
    /// Where the header lives, relative to `Runtime/`.
    public static let path = "include/rune_kinds.h"

    /// The header's full text.
    public static var text: String {
        func constant(_ prefix: String, _ name: String) -> String { "RUNE_\(prefix)_KIND_\(name.uppercased())" }
        func enumeration(_ type: String, _ prefix: String, _ cases: [(name: String, id: UInt8)]) -> [String] {
            ["typedef enum \(type) {", "    \(constant(prefix, "unknown")) = 0,"]
                + cases.map { "    \(constant(prefix, $0.name)) = \($0.id)," }
                + ["} \(type);"]
        }
        func table(_ macro: String, _ prefix: String, _ cases: [(name: String, id: UInt8)]) -> [String] {
            ["#define \(macro)(X) \\"]
                + cases.map { "    X(\(constant(prefix, $0.name)), \"\($0.name)\") \\" }
                + ["    /* end */"]
        }
        let capabilities = CapabilityKind.allCases.map { (name: $0.name, id: $0.id) }
        let outputs = OutputKind.allCases.map { (name: $0.name, id: $0.id) }
        let lines: [String] = [
            "/*",
            " * rune_kinds.h - capability and output kinds as integer IDs.",
            " *",
            " * GENERATED from Sources/RuneManifest/CapabilityKind.swift (CapabilityKind,",
            " * OutputKind); do not edit. `RUNE_UPDATE_GOLDEN=1 swift test --filter",
            " * RuneKindsHeaderTests` rewrites it, and that test fails when this file and",
            " * the Swift enums disagree.",
            " *",
            " * A manifest spells kinds as text (\"SOUND\"). C code maps the text to an ID",
            " * once, when it parses the manifest (RUNE_CAPABILITY_KINDS lists every",
            " * spelling), and compares IDs after that. 0 is a kind this runtime does not",
            " * know. IDs are stable: a kind keeps its number for good.",
            " */",
            "#ifndef RUNE_KINDS_H",
            "#define RUNE_KINDS_H",
            "",
        ] + enumeration("rune_capability_kind", "CAPABILITY", capabilities) + [
            "",
            "/* X(ID, \"SPELLING\") for every capability kind, in ID order. */",
        ] + table("RUNE_CAPABILITY_KINDS", "CAPABILITY", capabilities) + [
            "",
        ] + enumeration("rune_output_kind", "OUTPUT", outputs) + [
            "",
            "/* X(ID, \"SPELLING\") for every output kind, in ID order. */",
        ] + table("RUNE_OUTPUT_KINDS", "OUTPUT", outputs) + [
            "",
            "#endif /* RUNE_KINDS_H */",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
