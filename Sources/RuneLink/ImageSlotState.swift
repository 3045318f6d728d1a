/// One slot of the device's image state (the image group's state read).
public struct ImageSlotState: Equatable, Sendable {
    /// 0 = A, 1 = B.
    public var slot: Int
    /// The SHA-256 of the image's bytes: what the uploader announced.
    public var hash: [UInt8]
    /// Whether the device runs this slot's image.
    public var active: Bool
    /// MCUmgr's test/confirm state: RunicOS activates for good, so the active image is the
    /// confirmed one and none is ever pending.
    public var confirmed: Bool
    public var pending: Bool
    public var bootable: Bool
    /// MCUmgr's image version; RunicOS images carry none and report "0.0.0".
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
