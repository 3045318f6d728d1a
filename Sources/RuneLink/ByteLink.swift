/// A byte stream to a device: a serial port, QEMU's chardev, or a TCP socket to a host harness.
/// ``SMPClient`` frames and unframes SMP messages over it.
public protocol ByteLink: AnyObject {
    /// Writes all of `bytes`, or throws.
    func write(_ bytes: [UInt8]) throws
    /// The bytes that arrive within `timeout` seconds (returning as soon as some have arrived);
    /// empty if none did. Throws if the link is closed or broken.
    func read(timeout: Double) throws -> [UInt8]
}

/// Why a link failed.
public enum ByteLinkError: Error, Equatable, Sendable {
    /// The other end closed the link.
    case closed
    /// A system call failed, with its errno.
    case system(String, Int32)
    /// Connecting did not finish in time.
    case connectTimedOut
}
