import Foundation

/// What the byte links over a file descriptor share: waiting with a bound, and writing all of a
/// buffer to a non-blocking descriptor.
enum DescriptorIO {
    /// The events `descriptor` reported within `timeout` seconds (capped at an hour), or nil if
    /// none came. Interrupted waits are resumed.
    static func poll(_ descriptor: Int32, for events: Int16, timeout: Double) throws -> Int16? {
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        let milliseconds = Int32(max(0, min(timeout, 3600)) * 1000)
        while true {
            let result = Foundation.poll(&entry, 1, milliseconds)
            if result < 0 {
                if errno == EINTR { continue }
                throw ByteLinkError.system("poll", errno)
            }
            return result > 0 ? entry.revents : nil
        }
    }

    /// Writes all of `bytes` with `write` (one system call on what is left; its result), waiting
    /// with `waitWritable` whenever the descriptor would block. Any other failure is returned to
    /// `fail`, which says what to throw.
    static func writeAll(_ bytes: [UInt8], write: (UnsafeRawBufferPointer) -> Int, waitWritable: () throws -> Bool,
                         timedOut: String, fail: (Int32) -> Error) throws {
        var sent = 0
        while sent < bytes.count {
            let result = bytes[sent...].withUnsafeBytes(write)
            if result > 0 {
                sent += result
            } else if result < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                guard try waitWritable() else { throw ByteLinkError.system(timedOut, ETIMEDOUT) }
            } else {
                throw fail(errno)
            }
        }
    }
}
