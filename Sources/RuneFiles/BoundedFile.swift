#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an input file with a bound, so a huge file, `/dev/zero` or a `/proc` file that never
/// ends cannot make a tool allocate without limit.
///
/// At most `limit + 1` bytes are read: the extra byte is how an oversize file is told apart from
/// one of exactly `limit` bytes without trusting the size the file system reports (which is 0
/// for `/proc` files and meaningless for pipes). Opening does not block on a FIFO with no writer.
public enum BoundedFile {
    /// Why an input file was not read.
    public enum Failure: Error, Equatable, CustomStringConvertible, Sendable {
        case missing(path: String)
        case folder(path: String)
        case tooLarge(path: String, limit: Int)
        case system(path: String, code: Int32)

        public var description: String {
            switch self {
            case let .missing(path): "cannot read '\(path)': no such file"
            case let .folder(path): "cannot read '\(path)': it is a folder"
            case let .tooLarge(path, limit): "'\(path)' is larger than the limit of \(limit) bytes"
            case let .system(path, code): "cannot read '\(path)': \(String(cString: strerror(code)))"
            }
        }
    }

    /// The bytes of the file at `path`, which may hold at most `limit` bytes.
    public static func read(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw errno == ENOENT ? Failure.missing(path: path) : Failure.system(path: path, code: errno)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Failure.system(path: path, code: errno) }
        if status.st_mode & S_IFMT == S_IFDIR { throw Failure.folder(path: path) }
        // Non-blocking only for the open; a pipe with a writer is then read as usual.
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)

        let capacity = limit < Int.max ? limit + 1 : limit
        let expected = status.st_mode & S_IFMT == S_IFREG ? min(Int(clamping: status.st_size), capacity) : 0
        var bytes = [UInt8](repeating: 0, count: max(expected, min(capacity, 1 << 16)))
        var count = 0
        while count < capacity {
            if count == bytes.count { bytes += [UInt8](repeating: 0, count: min(bytes.count, capacity - count)) }
            let got = bytes.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress! + count, buffer.count - count)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw Failure.system(path: path, code: errno)
            }
            if got == 0 { break }
            count += got
        }
        guard count <= limit else { throw Failure.tooLarge(path: path, limit: limit) }
        bytes.removeSubrange(count...)
        return bytes
    }

    private static func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.read(descriptor, buffer, count)
        #elseif canImport(Musl)
        Musl.read(descriptor, buffer, count)
        #else
        Darwin.read(descriptor, buffer, count)
        #endif
    }
}
