/// What a RunicOS device (or a `rune agent`) runs, from its rune group's info command.
public struct RuneInfo: Equatable, Sendable {
    /// "runicos" for a device, "agent" for `rune agent` (which runs the `.rune` itself on the
    /// host runtime, so it takes the `.rune` as its image).
    public var kind: String
    /// The capability kinds the target serves, when it says (an agent does; a RunicOS device's
    /// are its board's).
    public var capabilities: [String]?
    /// LibSaga: times and memory, when the target measures them.
    public var health: RuneHealth?
    /// The board's name as runec spells it ("mps2-an500").
    public var board: String
    /// The rune-to-OS ABI version (image.h's RUNICOS_ABI_VERSION).
    public var abiVersion: Int
    /// RunicOS's version.
    public var runicOSVersion: String
    /// The active slot (0 = A, 1 = B), or nil with no rune.
    public var slot: Int?
    /// The SHA-256 of the running `.rune`; all zero without one.
    public var runeSHA256: [UInt8]
    /// Calls of the running rune since it was loaded, and how many of them trapped.
    public var calls: UInt64
    public var traps: UInt64
    /// Since the device started (wraps after 49 days, as the device counts in 32 bits).
    public var uptimeMilliseconds: UInt64

    /// Whether the target is a `rune agent` rather than a RunicOS device.
    public var isAgent: Bool { kind == "agent" }

    init(decoding body: CBOR) throws {
        guard let board = body["board"]?.textValue, let abi = body["abi"]?.intValue, let version = body["runicos"]?.textValue,
              let slot = body["slot"]?.intValue, let rune = body["rune"]?.bytesValue, rune.count == 32,
              let calls = body["calls"]?.unsignedValue, let traps = body["traps"]?.unsignedValue,
              let uptime = body["uptime_ms"]?.unsignedValue else {
            throw SMPClientError.unexpectedResponse("rune info lacks a field")
        }
        kind = body["kind"]?.textValue ?? "runicos"
        if let list = body["caps"] {
            guard let items = list.arrayValue, items.count <= 64 else { throw SMPClientError.unexpectedResponse("rune info's \"caps\" is not a short list") }
            capabilities = try items.map { item in
                guard let name = item.textValue else { throw SMPClientError.unexpectedResponse("rune info's \"caps\" holds a non-text item") }
                return name
            }
        }
        health = try RuneHealth(decoding: body)
        self.board = board
        abiVersion = Int(abi)
        runicOSVersion = version
        self.slot = slot >= 0 ? Int(slot) : nil
        runeSHA256 = rune
        self.calls = calls
        self.traps = traps
        uptimeMilliseconds = uptime
    }
}
