/// The shape of a rune's pipeline — stages, what each is, how they connect, and the tensor
/// types between them — for tools that explain a rune: `rune graph` draws it and
/// `rune run --timings` names the stages it times.
///
/// Stored in the custom section `rune.pipeline` with the manifest's primitives:
///
///     pipeline := "RPIP" u8:version uleb:count stage*
///     stage    := str:name u8:kind str:detail uleb:count (uleb:stage uleb:output)* uleb:count tensor*
///
/// Stages are in the order `_call` runs them; `_stage(index)` runs one of them alone.
public struct PipelineDescription: Equatable, Sendable {
    public enum Kind: UInt8, Sendable, CaseIterable {
        case capability = 1
        case procBlock = 2
        case model = 3
        case output = 4

        public var name: String {
            switch self {
            case .capability: "capability"
            case .procBlock: "proc_block"
            case .model: "model"
            case .output: "output"
            }
        }
    }

    public struct Stage: Equatable, Sendable {
        public var name: String
        public var kind: Kind
        /// What the stage is: `SOUND`, `fft`, `model.tflite`, `SERIAL`.
        public var detail: String
        /// (producing stage index, output index) for each input.
        public var inputs: [(stage: Int, output: Int)]
        public var outputs: [TensorType]

        public init(name: String, kind: Kind, detail: String, inputs: [(stage: Int, output: Int)], outputs: [TensorType]) {
            self.name = name
            self.kind = kind
            self.detail = detail
            self.inputs = inputs
            self.outputs = outputs
        }

        public static func == (lhs: Stage, rhs: Stage) -> Bool {
            lhs.name == rhs.name && lhs.kind == rhs.kind && lhs.detail == rhs.detail
                && lhs.inputs.map(\.stage) == rhs.inputs.map(\.stage) && lhs.inputs.map(\.output) == rhs.inputs.map(\.output)
                && lhs.outputs == rhs.outputs
        }
    }

    public static let sectionName = "rune.pipeline"
    public static let currentVersion: UInt8 = 1

    public var stages: [Stage]

    public init(stages: [Stage]) { self.stages = stages }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes(Array("RPIP".utf8))
        writer.byte(PipelineDescription.currentVersion)
        writer.uleb(stages.count)
        for stage in stages {
            writer.string(stage.name)
            writer.byte(stage.kind.rawValue)
            writer.string(stage.detail)
            writer.uleb(stage.inputs.count)
            for input in stage.inputs {
                writer.uleb(input.stage)
                writer.uleb(input.output)
            }
            writer.uleb(stage.outputs.count)
            stage.outputs.forEach { writer.tensor($0) }
        }
        return writer.buffer
    }

    /// Reads a description, checking every count, index and length.
    public init<Bytes: Collection>(decoding bytes: Bytes) throws(ManifestError) where Bytes.Element == UInt8 {
        var reader = ByteReader(Array(bytes))
        _ = try reader.header(magic: "RPIP", version: PipelineDescription.currentVersion, what: "pipeline description")
        var stages: [Stage] = []
        // Stages and stage indices are bounded by the pipeline's limit, which runec enforces, not
        // by the manifest's list limit: a rune that compiles is a rune that hosts accept.
        let count = try reader.count(limit: RuneLimits.maxStages)
        for index in 0..<count {
            let name = try reader.string()
            let kindOffset = reader.offset
            guard let kind = Kind(rawValue: try reader.byte()) else {
                throw ManifestError(offset: kindOffset, message: "unknown stage kind")
            }
            let detail = try reader.string()
            var inputs: [(stage: Int, output: Int)] = []
            for _ in 0..<(try reader.count()) {
                let stage = try reader.count(limit: RuneLimits.maxStages)
                let output = try reader.count()
                guard stage < index, output < stages[stage].outputs.count else {
                    throw reader.fail("stage '\(name)' reads an output that does not come before it")
                }
                inputs.append((stage, output))
            }
            var outputs: [TensorType] = []
            for _ in 0..<(try reader.count()) { outputs.append(try reader.tensor()) }
            stages.append(Stage(name: name, kind: kind, detail: detail, inputs: inputs, outputs: outputs))
        }
        guard reader.remaining == 0 else {
            throw ManifestError(offset: reader.offset, message: "\(reader.remaining) unexpected trailing bytes")
        }
        self.init(stages: stages)
    }
}
