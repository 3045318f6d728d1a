/// A request the device refused: its SMP return code (MCUmgr's `MGMT_ERR_*`) and the reason it
/// gave, if any (RunicOS always gives one).
public struct SMPDeviceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The group and command of the refused request.
    public var group: UInt16
    public var command: UInt8
    /// `rc`: one of MCUmgr's return codes (the constants below name the ones RunicOS uses).
    public var returnCode: Int64
    /// `rsn`: why, in words, when the device says.
    public var reason: String?

    /// MCUmgr's general return codes.
    public static let invalidValue: Int64 = 3
    public static let badState: Int64 = 6
    public static let notSupported: Int64 = 8
    public static let corrupt: Int64 = 9

    public var description: String {
        "the device refused group \(group) command \(command) with rc \(returnCode)" + (reason.map { ": \($0)" } ?? "")
    }
}

/// What went wrong on the client's side of an exchange.
public enum SMPClientError: Error, Equatable, Sendable {
    /// No response within the timeout, after every retry.
    case timedOut(group: UInt16, command: UInt8, attempts: Int)
    /// A response that does not have the shape its command promises.
    case unexpectedResponse(String)
    /// An upload whose offset stopped advancing.
    case uploadStalled(offset: Int)
    /// An upload still unfinished at its deadline, when the device had acknowledged the image's
    /// first `acknowledged` bytes (as far as this client heard). The device keeps them: an upload
    /// of the same image resumes there.
    case uploadDeadlinePassed(acknowledged: Int, total: Int)
}
