#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads files that may be hostile: at most a given number of bytes, and never blocking forever.
///
/// A path can name something that is not a regular file: `/dev/zero` never ends,
/// `/proc/self/pagemap` is huge and reports size 0, a FIFO may have no writer or a writer that
/// never writes. The file is opened without blocking, read until end of file or until
/// `limit + 1` bytes (one more than allowed, so an oversized file is told from one that fits
/// exactly, without trusting the size the file system reports), and a read that waits longer
/// than `timeout` seconds is given up. Every tool reads untrusted files through this: the
/// Runefile, models, C blocks, runes and sensor recordings.
public enum BoundedFile {
    /// Why a file was not read. The messages leave the path out; callers say which file it was.
    public enum Failure: Error, Equatable, CustomStringConvertible, Sendable {
        case missing
        case folder
        case notRegularFile(kind: String)
        case tooLarge(limit: Int)
        case timedOut(seconds: Double)
        case system(operation: String, code: Int32)

        public var description: String {
            switch self {
            case .missing: "no such file"
            case .folder: "it is a folder"
            case let .notRegularFile(kind): "it is \(kind), not a file"
            case let .tooLarge(limit): "it is larger than \(BoundedFile.describe(bytes: limit)), the limit"
            case let .timedOut(seconds):
                "reading it took longer than \(BoundedFile.formatSeconds(seconds)) (is it a FIFO nobody writes to?)"
            case let .system(operation, code): "cannot \(operation) it: \(String(cString: strerror(code)))"
            }
        }

        /// The same text as `description`, for callers that report sensor errors by message.
        public var message: String { description }
    }

    /// The bytes of the file at `path`, if it holds at most `limit` bytes. `timeout` bounds the
    /// whole read in seconds (0 waits as long as it takes). With `regularFileOnly`, a FIFO, device
    /// or socket is refused before anything is read: what the compiler wants of a Runefile or a
    /// model, where only a host replaying recordings has a use for pipes.
    public static func read(_ path: String, limit: Int, timeout: Double = 0,
                            regularFileOnly: Bool = false) throws(Failure) -> [UInt8] {
        let bytes = try prefix(path, count: limit < Int.max ? limit + 1 : limit, timeout: timeout,
                               regularFileOnly: regularFileOnly)
        guard bytes.count <= limit else { throw Failure.tooLarge(limit: limit) }
        return bytes
    }

    /// The first `count` bytes of the file at `path` (fewer if it is shorter), never reading more.
    public static func prefix(_ path: String, count wanted: Int, timeout: Double = 0,
                              regularFileOnly: Bool = false) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw errno == ENOENT || errno == ENOTDIR ? Failure.missing : Failure.system(operation: "open", code: errno)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Failure.system(operation: "read", code: errno) }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: throw Failure.folder
        case S_IFREG: break
        case S_IFIFO where regularFileOnly: throw Failure.notRegularFile(kind: "a FIFO")
        case S_IFCHR where regularFileOnly, S_IFBLK where regularFileOnly: throw Failure.notRegularFile(kind: "a device")
        case S_IFSOCK where regularFileOnly: throw Failure.notRegularFile(kind: "a socket")
        default: break
        }

        let deadline = timeout > 0 ? monotonicSeconds() + timeout : Double.infinity
        var bytes: [UInt8] = []
        // Regular files report their size (pagemap's is 0, a lie that costs only a regrow).
        if status.st_mode & S_IFMT == S_IFREG, status.st_size > 0 {
            bytes.reserveCapacity(min(Int(status.st_size), wanted))
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while bytes.count < wanted {
            // Whole chunks: some kernel files (pagemap) refuse reads that are not a multiple of
            // 8 bytes. At most one chunk more than wanted is read, and only `wanted` are kept.
            let count = chunk.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress!, buffer.count)
            }
            if count > 0 {
                bytes += chunk[0..<min(count, wanted - bytes.count)]
                continue
            }
            if count == 0 { break }   // end of file
            let code = errno
            if code == EINTR { continue }
            guard code == EAGAIN || code == EWOULDBLOCK else { throw Failure.system(operation: "read", code: code) }
            // Nothing yet (a FIFO whose writer is slow): wait for data, up to the deadline.
            let left = deadline - monotonicSeconds()
            guard left > 0 else { throw Failure.timedOut(seconds: timeout) }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&poller, 1, left.isFinite ? Int32(min(left * 1000 + 1, 60_000)) : 60_000)
        }
        return bytes
    }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// `4 MiB`, `256 KiB`, `512 bytes`: how limits appear in messages.
    public static func describe(bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    /// `10s`, or `0.5s`: how durations appear in messages.
    public static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }

}
