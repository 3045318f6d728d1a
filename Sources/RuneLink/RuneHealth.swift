/// LibSaga, the paper's health monitoring: what a target measures about the rune it runs, beyond
/// RuneInfo's counters. Every field is optional on the wire (a RunicOS older than LibSaga sends
/// none), and each target sends what it can measure honestly.
public struct RuneHealth: Equatable, Sendable {
    /// The unit of every time below: "ns" on a host agent, "cycles" on a device.
    public var timeUnit: String
    /// The last call of the running rune, and the mean over its calls since it was loaded.
    public var lastCall: UInt64?
    public var meanCall: UInt64?
    /// Per pipeline stage, in pipeline order (empty when the target cannot time stages).
    public var stages: [Stage]
    /// The rune's memory now and at its peak since it was loaded, in bytes: its linear memory
    /// on a host agent, its RAM region on a device.
    public var memoryBytes: UInt64?
    public var memoryPeakBytes: UInt64?
    /// The deepest the rune's stack reached, in bytes (a device that paints the stack).
    public var stackPeakBytes: UInt64?

    /// One stage's time.
    public struct Stage: Equatable, Sendable {
        public var name: String
        public var last: UInt64
        public var mean: UInt64

        public init(name: String, last: UInt64, mean: UInt64) {
            self.name = name
            self.last = last
            self.mean = mean
        }
    }

    public init(timeUnit: String, lastCall: UInt64? = nil, meanCall: UInt64? = nil, stages: [Stage] = [],
                memoryBytes: UInt64? = nil, memoryPeakBytes: UInt64? = nil, stackPeakBytes: UInt64? = nil) {
        self.timeUnit = timeUnit
        self.lastCall = lastCall
        self.meanCall = meanCall
        self.stages = stages
        self.memoryBytes = memoryBytes
        self.memoryPeakBytes = memoryPeakBytes
        self.stackPeakBytes = stackPeakBytes
    }

    /// The most stages a status carries: a bound on what a hostile target can make the host
    /// decode and print.
    public static let maximumStages = 64

    /// The fields this adds to the rune info map (the keys RunicOS's group 64 info uses).
    public var fields: [String: CBOR] {
        var fields: [String: CBOR] = ["unit": .text(timeUnit)]
        if let lastCall { fields["call_last"] = .unsigned(lastCall) }
        if let meanCall { fields["call_mean"] = .unsigned(meanCall) }
        if !stages.isEmpty {
            fields["stages"] = .array(stages.prefix(Self.maximumStages).map {
                .map(["name": .text($0.name), "last": .unsigned($0.last), "mean": .unsigned($0.mean)])
            })
        }
        if let memoryBytes { fields["mem"] = .unsigned(memoryBytes) }
        if let memoryPeakBytes { fields["mem_peak"] = .unsigned(memoryPeakBytes) }
        if let stackPeakBytes { fields["stack_peak"] = .unsigned(stackPeakBytes) }
        return fields
    }

    /// The health fields of a rune info map; nil when it has none (no "unit"). Malformed
    /// entries are refused rather than guessed.
    init?(decoding body: CBOR) throws {
        guard let unit = body["unit"]?.textValue else { return nil }
        timeUnit = String(unit.prefix(16))
        lastCall = body["call_last"]?.unsignedValue
        meanCall = body["call_mean"]?.unsignedValue
        memoryBytes = body["mem"]?.unsignedValue
        memoryPeakBytes = body["mem_peak"]?.unsignedValue
        stackPeakBytes = body["stack_peak"]?.unsignedValue
        stages = []
        if let list = body["stages"] {
            guard let items = list.arrayValue, items.count <= Self.maximumStages else {
                throw SMPClientError.unexpectedResponse("rune info's \"stages\" is not a list of at most \(Self.maximumStages)")
            }
            for item in items {
                guard let name = item["name"]?.textValue, let last = item["last"]?.unsignedValue, let mean = item["mean"]?.unsignedValue else {
                    throw SMPClientError.unexpectedResponse("a stage in rune info lacks name, last or mean")
                }
                stages.append(Stage(name: String(name.prefix(128)), last: last, mean: mean))
            }
        }
    }
}
