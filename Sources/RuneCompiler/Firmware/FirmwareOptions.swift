/// How to build firmware (`--target cortex-m7`).
public struct FirmwareOptions: Sendable {
    public var board: Board
    /// Capability name -> file whose contents the firmware reads for that capability, converted at
    /// build time exactly as `rune run` converts it (`--embed-input audio=clip.wav`).
    public var embeddedInputs: [(capability: String, path: String)]
    /// How many times the firmware calls the pipeline; 0 runs it forever.
    public var iterations: UInt32
    /// The seed of RAND capabilities, as `rune run --random`.
    public var randomSeed: UInt64
    /// Print cycles per call after the runs.
    public var reportTiming: Bool
    /// Produce and check each call's output records but do not print them, so that a benchmark
    /// of many calls is not bound by the serial port.
    public var quietOutputs: Bool
    /// Compile the int8 kernels as plain C loops rather than their DSP-extension paths (SMLAD,
    /// SXTB16): the same outputs, more instructions; the baseline `scripts/bench-models` counts.
    public var plainKernels: Bool

    public init(board: Board = .portentaH7, embeddedInputs: [(capability: String, path: String)] = [],
                iterations: UInt32 = 1, randomSeed: UInt64 = 0, reportTiming: Bool = false, quietOutputs: Bool = false,
                plainKernels: Bool = false) {
        self.board = board
        self.embeddedInputs = embeddedInputs
        self.iterations = iterations
        self.randomSeed = randomSeed
        self.reportTiming = reportTiming
        self.quietOutputs = quietOutputs
        self.plainKernels = plainKernels
    }
}

/// Flash and RAM a firmware image uses, read from its ELF sections.
public struct FirmwareSize: Sendable, Equatable {
    public var text: Int
    public var data: Int
    public var bss: Int
    /// Bytes of the pipeline's static arena and tensor buffers (part of bss).
    public var arena: Int
    public var flash: Int { text + data }
    public var ram: Int { data + bss }
}
