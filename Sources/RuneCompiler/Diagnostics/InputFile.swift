import Foundation
import RuneManifest

/// Reads an input file (a Runefile, a model) with a bound: only regular files, at most `limit`
/// bytes, so a folder, a FIFO, `/dev/zero` or a huge file is a clear error rather than a hang
/// or an unbounded allocation.
public enum InputFile {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case missing
        case notRegularFile(String)
        case tooLarge(limit: Int)
        case unreadable(String)

        public var description: String {
            switch self {
            case .missing: "no such file"
            case .notRegularFile(let kind): "it is \(kind), not a file"
            case .tooLarge(let limit): "it is larger than \(InputFile.describe(bytes: limit)), the most runec reads"
            case .unreadable(let reason): reason
            }
        }
    }

    /// The bytes of the regular file at `path`, if it holds at most `limit` bytes.
    public static func read(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO must not wait for a writer. It is checked for right after.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw .missing }
            throw .unreadable(String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(String(cString: strerror(errno))) }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .notRegularFile("a folder")
        case S_IFIFO: throw .notRegularFile("a FIFO")
        case S_IFCHR, S_IFBLK: throw .notRegularFile("a device")
        case S_IFSOCK: throw .notRegularFile("a socket")
        default: throw .notRegularFile("not a regular file")
        }
        guard Int64(status.st_size) <= Int64(limit) else { throw .tooLarge(limit: limit) }
        // Read at most limit + 1 bytes: a file that grows while it is read is still caught.
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size) + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                Foundation.read(descriptor, buffer.baseAddress! + count, buffer.count - count)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw .unreadable(String(cString: strerror(errno)))
            }
            if got == 0 { break }
            count += got
            if count == bytes.count, count <= limit {
                bytes.append(contentsOf: repeatElement(0, count: min(limit + 1 - count, 1 << 20)))
            }
            if count > limit { throw .tooLarge(limit: limit) }
        }
        bytes.removeSubrange(count...)
        return bytes
    }

    /// `4 MB`, `256 MB`, `512 bytes`.
    static func describe(bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KB" }
        return "\(bytes) bytes"
    }
}
