/// One slot of the device's image state (the image group's state read).
public struct ImageSlotState: Equatable, Sendable {
    public var slot: Int
    /// The SHA-256 of the image's bytes: what the uploader announced.
    public var hash: [UInt8]
    public var active: Bool
    public var confirmed: Bool
    public var pending: Bool
    public var bootable: Bool
    public var version: String

    init(decoding entry: CBOR) throws {
        guard let slot = entry["slot"]?.intValue, let hash = entry["hash"]?.bytesValue else {
            throw SMPClientError.unexpectedResponse("an image state entry without slot and hash")
        }
        self.slot = Int(slot)
        self.hash = hash
        active = entry["active"]?.boolValue ?? false
        confirmed = entry["confirmed"]?.boolValue ?? false
        pending = entry["pending"]?.boolValue ?? false
        bootable = entry["bootable"]?.boolValue ?? false
        version = entry["version"]?.textValue ?? ""
    }
}
