import RuneManifest

/// One tensor of an output as the host holds it during a call: whether the rune wrote it, and
/// its bytes (or strings) as written.
///
/// The bytes' storage is reused from call to call, so a pipeline that writes the same outputs on
/// every call copies them without allocating; the ``OutputTensor`` is decoded only when a record
/// is asked for. Storage is kept only for a tensor the last call wrote, so what the host holds
/// stays within what one call may write (`--max-output-bytes`), as when every call started
/// afresh.
struct ReceivedTensor {
    let type: TensorType
    /// Whether the tensor holds strings (`utf8`) rather than numbers.
    let isStrings: Bool
    private(set) var isPresent = false
    private var bytes: [UInt8] = []
    private var strings: [[UInt8]] = []

    init(type: TensorType) {
        self.type = type
        isStrings = type.elementType == .utf8
    }

    /// Forgets what the last call wrote, before the next call; keeps the storage of a tensor that
    /// call wrote, and frees the rest.
    mutating func clear() {
        if isPresent {
            isPresent = false
        } else if !bytes.isEmpty {
            bytes = []
        }
        if !strings.isEmpty { strings = [] }
    }

    /// The tensor's little-endian bytes, written by the rune (a numeric type).
    mutating func store(_ source: UnsafeRawBufferPointer) {
        if bytes.count == source.count {
            bytes.withUnsafeMutableBytes { $0.copyMemory(from: source) }
        } else {
            bytes = Array(source)
        }
        isPresent = true
    }

    /// The tensor's strings, copied from the rune's memory (a `utf8` tensor).
    mutating func store(strings: [[UInt8]]) {
        self.strings = strings
        isPresent = true
    }

    /// The tensor, decoded.
    var tensor: OutputTensor {
        isStrings ? OutputTensor(type: type, strings: strings) : OutputTensor(type: type, littleEndian: bytes)
    }
}
