#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads files that may be hostile: at most a given number of bytes, and never blocking forever.
///
/// A path can name something that is not a regular file: `/dev/zero` never ends,
/// `/proc/self/pagemap` is huge, a FIFO may have no writer or a writer that never writes. The file
/// is opened without blocking, read until end of file or until `limit + 1` bytes (one more than
/// allowed, so an oversized file is told from one that fits exactly), and a read that waits longer
/// than `timeout` seconds is given up.
public enum BoundedFile {
    /// The bytes of the file at `path`, if it holds at most `limit` bytes. `timeout` bounds the
    /// whole read in seconds (0 waits as long as it takes).
    public static func read(_ path: String, limit: Int, timeout: Double = 0) throws(SensorError) -> [UInt8] {
        let bytes = try prefix(path, count: limit < Int.max ? limit + 1 : limit, timeout: timeout)
        guard bytes.count <= limit else {
            throw SensorError("it is larger than the limit of \(limit) bytes")
        }
        return bytes
    }

    /// The first `count` bytes of the file at `path` (fewer if it is shorter), never reading more.
    public static func prefix(_ path: String, count wanted: Int, timeout: Double = 0) throws(SensorError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            throw SensorError(code == ENOENT ? "no such file" : "cannot open it: \(String(cString: strerror(code)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw SensorError("cannot read it: \(String(cString: strerror(errno)))") }
        if status.st_mode & S_IFMT == S_IFDIR { throw SensorError("it is a directory") }

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
                Glibc_read(descriptor, buffer.baseAddress, buffer.count)
            }
            if count > 0 {
                bytes += chunk[0..<min(count, wanted - bytes.count)]
                continue
            }
            if count == 0 { break }   // end of file
            let code = errno
            if code == EINTR { continue }
            guard code == EAGAIN || code == EWOULDBLOCK else {
                throw SensorError("cannot read it: \(String(cString: strerror(code)))")
            }
            // Nothing yet (a FIFO whose writer is slow): wait for data, up to the deadline.
            let left = deadline - monotonicSeconds()
            guard left > 0 else {
                throw SensorError("reading it took longer than \(formatSeconds(timeout)) (is it a FIFO nobody writes to?)")
            }
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

    static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }
}

@inline(__always)
private func Glibc_read(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(descriptor, buffer, count)
    #else
    Darwin.read(descriptor, buffer, count)
    #endif
}
