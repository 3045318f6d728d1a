#if canImport(Glibc)
import Glibc
private let streamSocket = Int32(SOCK_STREAM.rawValue)
private let sendFlags = Int32(MSG_NOSIGNAL) // a closed peer is an error, not SIGPIPE
#elseif canImport(Darwin)
import Darwin
private let streamSocket = SOCK_STREAM
private let sendFlags: Int32 = 0 // SO_NOSIGPIPE is set on the socket instead
#endif

/// A ``ByteLink`` over a TCP connection (to `127.0.0.1:port` unless told otherwise): how the host
/// reaches QEMU's serial chardev (`-serial tcp:127.0.0.1:PORT,server`), a serial bridge or the
/// link test harness. Plain POSIX sockets, non-blocking, with every wait bounded by `poll`.
public final class TCPByteLink: ByteLink {
    private var descriptor: Int32
    /// How long a write may wait for the peer to take bytes.
    public let writeTimeout: Double

    /// Connects to `host:port` within `timeout` seconds. `host` is an IPv4 address or a name
    /// that resolves to one.
    public init(host: String = "127.0.0.1", port: UInt16, timeout: Double = 5, writeTimeout: Double = 10) throws {
        self.writeTimeout = writeTimeout
        let hostAddress = try Self.resolve(host)
        descriptor = socket(AF_INET, streamSocket, 0)
        guard descriptor >= 0 else { throw ByteLinkError.system("socket", errno) }
        do {
            try Self.setNonBlocking(descriptor)
            let result = Self.withSocketAddress(hostAddress, port: port) { connect(descriptor, $0, $1) }
            if result != 0 {
                guard errno == EINPROGRESS else { throw ByteLinkError.system("connect", errno) }
                guard try Self.wait(descriptor, for: Int16(POLLOUT), timeout: timeout) else { throw ByteLinkError.connectTimedOut }
                var failure: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &length)
                guard failure == 0 else { throw ByteLinkError.system("connect", failure) }
            }
            var on: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            #if canImport(Darwin)
            setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
            #endif
        } catch {
            Self.closeDescriptor(descriptor)
            throw error
        }
    }

    /// Takes over `descriptor`, a connection a ``TCPListener`` accepted.
    init(accepted descriptor: Int32, writeTimeout: Double) throws {
        self.writeTimeout = writeTimeout
        self.descriptor = descriptor
        do {
            try Self.setNonBlocking(descriptor)
        } catch {
            Self.closeDescriptor(descriptor)
            throw error
        }
        var on: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        #if canImport(Darwin)
        setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    deinit { disconnect() }

    /// Calls `body` with the socket address of `address:port` and its length (for connect, bind).
    static func withSocketAddress<Result>(_ address: in_addr, port: UInt16,
                                          _ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        socketAddress.sin_addr = address
        return withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    /// `host`'s IPv4 address: a dotted quad as is, a name through the resolver.
    static func resolve(_ host: String) throws -> in_addr {
        var address = in_addr()
        if inet_pton(AF_INET, host, &address) == 1 { return address }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = streamSocket
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &results)
        defer { if let results { freeaddrinfo(results) } }
        guard status == 0, let first = results, let socketAddress = first.pointee.ai_addr else {
            throw ByteLinkError.system("resolve \(host)", EHOSTUNREACH)
        }
        return socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
    }

    /// Closes the connection; later reads and writes throw ``ByteLinkError/closed``.
    public func disconnect() {
        if descriptor >= 0 { Self.closeDescriptor(descriptor) }
        descriptor = -1
    }

    private static func closeDescriptor(_ descriptor: Int32) { _ = close(descriptor) }

    static func setNonBlocking(_ socket: Int32) throws {
        let flags = fcntl(socket, F_GETFL)
        guard flags >= 0, fcntl(socket, F_SETFL, flags | O_NONBLOCK) == 0 else { throw ByteLinkError.system("fcntl", errno) }
    }

    /// Whether `socket` became ready for `events` within `timeout` seconds.
    private static func wait(_ socket: Int32, for events: Int16, timeout: Double) throws -> Bool {
        try DescriptorIO.poll(socket, for: events, timeout: timeout) != nil
    }

    public func write(_ bytes: [UInt8]) throws {
        guard descriptor >= 0 else { throw ByteLinkError.closed }
        try DescriptorIO.writeAll(bytes, write: { send(descriptor, $0.baseAddress, $0.count, sendFlags) },
                                  waitWritable: { try Self.wait(descriptor, for: Int16(POLLOUT), timeout: writeTimeout) },
                                  timedOut: "send (timed out)") { failure in
            disconnect()
            return failure == EPIPE || failure == ECONNRESET ? ByteLinkError.closed : ByteLinkError.system("send", failure)
        }
    }

    public func read(timeout: Double) throws -> [UInt8] {
        guard descriptor >= 0 else { throw ByteLinkError.closed }
        guard try Self.wait(descriptor, for: Int16(POLLIN), timeout: timeout) else { return [] }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let result = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if result > 0 { return Array(buffer.prefix(result)) }
        if result < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return [] }
        let failure = errno
        disconnect()
        if result == 0 || failure == ECONNRESET { throw ByteLinkError.closed }
        throw ByteLinkError.system("recv", failure)
    }
}
