import Foundation
import RuneLink

/// Where a target is: a TCP endpoint or a serial device at a baud rate.
enum TargetAddress: Equatable, Sendable, CustomStringConvertible {
    case tcp(host: String, port: UInt16)
    case serial(path: String, baudRate: Int)

    /// Parses `tcp://HOST:PORT`, `serial:///dev/PORT[?baud=N]` or a plain device path.
    init(parsing text: String) throws(HammerError) {
        if text.hasPrefix("/") {
            self = .serial(path: text, baudRate: SerialByteLink.defaultBaudRate)
            return
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw HammerError("'\(text)' is not a target address: give tcp://HOST:PORT, serial:///dev/PORT[?baud=N] or a device path")
        }
        switch scheme {
        case "tcp":
            guard let host = components.host, !host.isEmpty, let port = components.port, (1...65535).contains(port) else {
                throw HammerError("'\(text)' needs a host and a port from 1 to 65535: tcp://HOST:PORT")
            }
            self = .tcp(host: host, port: UInt16(port))
        case "serial":
            let path = components.path
            guard path.hasPrefix("/") else { throw HammerError("'\(text)' needs a device path: serial:///dev/ttyACM0") }
            var baudRate = SerialByteLink.defaultBaudRate
            if let baud = components.queryItems?.first(where: { $0.name == "baud" })?.value {
                guard let rate = Int(baud), SerialByteLink.baudRates[rate] != nil else {
                    let rates = SerialByteLink.baudRates.keys.sorted().map(String.init).joined(separator: ", ")
                    throw HammerError("baud rate '\(baud)' is not one of \(rates)")
                }
                baudRate = rate
            }
            self = .serial(path: path, baudRate: baudRate)
        default:
            throw HammerError("'\(text)': unknown scheme '\(scheme)'; give tcp://HOST:PORT or serial:///dev/PORT")
        }
    }

    /// `tcp` or `serial`: the table's Type column.
    var kind: String {
        switch self {
        case .tcp: "tcp"
        case .serial: "serial"
        }
    }

    var description: String {
        switch self {
        case .tcp(let host, let port): "tcp://\(host):\(port)"
        case .serial(let path, let baudRate):
            baudRate == SerialByteLink.defaultBaudRate ? "serial://\(path)" : "serial://\(path)?baud=\(baudRate)"
        }
    }

    /// Opens the link.
    func open() throws -> any ByteLink {
        switch self {
        case .tcp(let host, let port):
            try TCPByteLink(host: host, port: port, timeout: HammerLimits.connectSeconds)
        case .serial(let path, let baudRate):
            try SerialByteLink(path: path, baudRate: baudRate)
        }
    }
}
