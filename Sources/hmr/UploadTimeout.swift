import Foundation

/// How long `hmr targets cast` gives one target's upload, start to finish, across request
/// retries and reconnects.
///
/// The retries and reconnects bound each wait, but not their sum: a device that takes bytes
/// and then stops answering (starved, or behind a bridge that hung) costs every resend and
/// every reconnect its full timeout, about ten minutes. The default is derived from what the
/// upload should take, so that a sound link never meets it and a dead one fails in a minute
/// or two.
enum UploadTimeout {
    /// The default for an image of `imageBytes` bytes over `address`: the slot erase's
    /// allowance plus ``HammerLimits/uploadTimeoutWireFactor`` times the image's time on the
    /// wire at the link's baud rate, and at least ``HammerLimits/uploadTimeoutMinimumSeconds``.
    static func defaultSeconds(imageBytes: Int, address: TargetAddress) -> Double {
        let wireSeconds = Double(imageBytes) * wireBytesPerImageByte / (Double(baudRate(of: address)) / 10)
        return max(HammerLimits.uploadTimeoutMinimumSeconds,
                   (HammerLimits.eraseSeconds + HammerLimits.uploadTimeoutWireFactor * wireSeconds).rounded(.up))
    }

    /// A serial target's own rate. A TCP target may be QEMU's UART, a `rune agent`, or a
    /// serial-over-TCP bridge to a board's UART; the slowest of these is the bridge at a
    /// UART's usual 115200 baud, so the default must fit that.
    static func baudRate(of address: TargetAddress) -> Int {
        switch address {
        case .serial(_, let baudRate): baudRate
        case .tcp: 115_200
        }
    }

    /// SMP serial carries 3 image bytes in 4 base64 characters, plus each packet's header,
    /// CRC and line delimiters: microspeech's 42,640-byte image takes 59,256 bytes on the wire.
    static let wireBytesPerImageByte = 1.4

    /// `42 s`, `1.5 s`: a number of seconds as the user would write it.
    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}
