#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
private let systemWrite = Darwin.write
#endif

/// A ``ByteLink`` over a serial device (`/dev/ttyACM0`, `/dev/ttyUSB0`, a pty): opened raw with
/// termios at a chosen baud rate (8 data bits, no parity, one stop bit, no flow control, no
/// echo, no line editing), non-blocking, with every wait bounded by `poll`.
public final class SerialByteLink: ByteLink {
    private var descriptor: Int32
    /// How long a write may wait for the device to take bytes.
    public let writeTimeout: Double

    /// The baud rates termios names, by their numeric rate.
    public static let baudRates: [Int: speed_t] = [
        9600: speed_t(B9600), 19200: speed_t(B19200), 38400: speed_t(B38400), 57600: speed_t(B57600),
        115200: speed_t(B115200), 230400: speed_t(B230400), 460800: speed_t(B460800), 921600: speed_t(B921600),
    ]
    public static let defaultBaudRate = 115200

    /// Opens `path` at `baudRate` (one of ``baudRates``).
    public init(path: String, baudRate: Int = SerialByteLink.defaultBaudRate, writeTimeout: Double = 10) throws {
        self.writeTimeout = writeTimeout
        guard let speed = Self.baudRates[baudRate] else { throw ByteLinkError.system("baud rate \(baudRate) is not supported", EINVAL) }
        // O_NOCTTY: a device opened by the tool must never become its controlling terminal.
        descriptor = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK)
        guard descriptor >= 0 else { throw ByteLinkError.system("open \(path)", errno) }
        do {
            var settings = termios()
            guard tcgetattr(descriptor, &settings) == 0 else { throw ByteLinkError.system("tcgetattr", errno) }
            cfmakeraw(&settings)
            settings.c_cflag |= tcflag_t(CLOCAL | CREAD)
            settings.c_cflag &= ~tcflag_t(CSTOPB | PARENB)
            #if canImport(Glibc)
            settings.c_cflag &= ~tcflag_t(CRTSCTS)
            #endif
            settings.c_iflag &= ~tcflag_t(IXON | IXOFF | IXANY)
            // Reads never block in the kernel: poll does the waiting.
            withUnsafeMutableBytes(of: &settings.c_cc) { cc in
                cc[Int(VMIN)] = 0
                cc[Int(VTIME)] = 0
            }
            guard cfsetispeed(&settings, speed) == 0, cfsetospeed(&settings, speed) == 0 else {
                throw ByteLinkError.system("cfsetspeed", errno)
            }
            guard tcsetattr(descriptor, TCSANOW, &settings) == 0 else { throw ByteLinkError.system("tcsetattr", errno) }
            // Whatever a previous session left in the buffers is stale.
            tcflush(descriptor, TCIOFLUSH)
        } catch {
            _ = close(descriptor)
            throw error
        }
    }

    deinit { disconnect() }

    /// Closes the device; later reads and writes throw ``ByteLinkError/closed``.
    public func disconnect() {
        if descriptor >= 0 { _ = close(descriptor) }
        descriptor = -1
    }

    /// Whether the device became ready for `events` within `timeout` seconds.
    private func wait(for events: Int16, timeout: Double) throws -> Bool {
        guard let revents = try DescriptorIO.poll(descriptor, for: events, timeout: timeout) else { return false }
        // A pty whose other end closed, or an unplugged adapter, reports HUP: the link is gone.
        if revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0, revents & events == 0 {
            disconnect()
            throw ByteLinkError.closed
        }
        return true
    }

    public func write(_ bytes: [UInt8]) throws {
        guard descriptor >= 0 else { throw ByteLinkError.closed }
        try DescriptorIO.writeAll(bytes, write: { systemWrite(descriptor, $0.baseAddress, $0.count) },
                                  waitWritable: { try wait(for: Int16(POLLOUT), timeout: writeTimeout) },
                                  timedOut: "write (timed out)") { failure in
            disconnect()
            return failure == EIO ? ByteLinkError.closed : ByteLinkError.system("write", failure)
        }
    }

    public func read(timeout: Double) throws -> [UInt8] {
        guard descriptor >= 0 else { throw ByteLinkError.closed }
        guard try wait(for: Int16(POLLIN), timeout: timeout) else { return [] }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let result = buffer.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
        if result > 0 { return Array(buffer.prefix(result)) }
        if result < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return [] }
        let failure = errno
        disconnect()
        if result == 0 || failure == EIO { throw ByteLinkError.closed }
        throw ByteLinkError.system("read", failure)
    }
}
