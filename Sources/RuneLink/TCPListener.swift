#if canImport(Glibc)
import Glibc
private let streamSocket = Int32(SOCK_STREAM.rawValue)
private let systemClose = Glibc.close
private let systemAccept = Glibc.accept
#elseif canImport(Darwin)
import Darwin
private let streamSocket = SOCK_STREAM
private let systemClose = Darwin.close
private let systemAccept = Darwin.accept
#endif

/// A listening TCP socket on an IPv4 address: the server end of ``TCPByteLink``, as `rune agent`
/// uses it. Accepting waits with a bound, so the caller's loop can stop.
public final class TCPListener {
    private var descriptor: Int32
    /// The port it listens on (the one the system chose, when asked for port 0).
    public let port: UInt16
    /// The address it listens on, as given.
    public let host: String

    /// Listens on `host:port` (`port` 0: any free port).
    public init(host: String, port: UInt16, backlog: Int32 = 8) throws {
        self.host = host
        let address = try TCPByteLink.resolve(host)
        let descriptor = socket(AF_INET, streamSocket, 0)
        guard descriptor >= 0 else { throw ByteLinkError.system("socket", errno) }
        do {
            var on: Int32 = 1
            // A restarted agent takes its port back at once, not after TIME_WAIT.
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
            let bound = TCPByteLink.withSocketAddress(address, port: port) { bind(descriptor, $0, $1) }
            guard bound == 0 else { throw ByteLinkError.system("bind \(host):\(port)", errno) }
            guard listen(descriptor, backlog) == 0 else { throw ByteLinkError.system("listen", errno) }
            var actual = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &actual) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            guard named == 0 else { throw ByteLinkError.system("getsockname", errno) }
            self.port = UInt16(bigEndian: actual.sin_port)
            try TCPByteLink.setNonBlocking(descriptor)
            self.descriptor = descriptor
        } catch {
            _ = systemClose(descriptor)
            throw error
        }
    }

    deinit { close() }

    /// Stops listening.
    public func close() {
        if descriptor >= 0 { _ = systemClose(descriptor) }
        descriptor = -1
    }

    /// The next connection, or nil if none came within `timeout` seconds.
    public func accept(timeout: Double, writeTimeout: Double = 5) throws -> TCPByteLink? {
        guard descriptor >= 0 else { throw ByteLinkError.closed }
        guard try DescriptorIO.poll(descriptor, for: Int16(POLLIN), timeout: timeout) != nil else { return nil }
        let connection = systemAccept(descriptor, nil, nil)
        if connection < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED { return nil }
            throw ByteLinkError.system("accept", errno)
        }
        return try TCPByteLink(accepted: connection, writeTimeout: writeTimeout)
    }
}
