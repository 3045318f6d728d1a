#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a tool's output file without ever clobbering what is not a regular file of ours.
///
/// `runec -o` and `rune graph -o` both write through this. The rules, in order:
/// - the target must be absent or a regular file: a device node, FIFO, socket, folder or symbolic
///   link is refused (`-o -` means stdout and never reaches here);
/// - it must not be one of the command's own inputs (same device and inode, so a hard link or a
///   different spelling of the same path is caught too);
/// - where the format has a magic number, an existing file must be empty or start with it, so a
///   user's unrelated file that happens to share the name is left alone;
/// - the bytes go to a temporary file created with `O_CREAT|O_EXCL|O_NOFOLLOW` under a random
///   name in the target's folder, are flushed with `fsync`, and the temporary file is renamed over
///   the target. Readers see the old file or the whole new one, and a planted symbolic link at the
///   temporary name cannot redirect the write.
public enum OutputFile {
    /// Why an output file was not written.
    public enum Failure: Error, Equatable, CustomStringConvertible, Sendable {
        case notRegularFile(path: String, kind: String)
        case isInput(path: String, input: String)
        case notOurs(path: String, expected: String)
        case system(path: String, operation: String, code: Int32)

        public var description: String {
            switch self {
            case let .notRegularFile(path, kind):
                "'\(path)' is \(kind), not a regular file; choose a file path (or '-o -' for stdout)"
            case let .isInput(path, input):
                if path == input {
                    "'\(path)' is an input of this command; writing the output there would destroy it"
                } else {
                    "'\(path)' is the same file as the input '\(input)'; writing the output there would destroy it"
                }
            case let .notOurs(path, expected):
                "'\(path)' exists and is not \(expected); remove it or choose another path"
            case let .system(path, operation, code):
                "cannot \(operation) '\(path)': \(String(cString: strerror(code)))"
            }
        }
    }

    /// Writes `bytes` to `path` atomically.
    ///
    /// - Parameters:
    ///   - inputs: the files the command read; the output may not be any of them.
    ///   - magic: the leading bytes every file of this format starts with, when it has them; an
    ///     existing non-empty file without them is not overwritten.
    ///   - formatName: what the format is called in messages ("a WebAssembly module").
    public static func write(_ bytes: [UInt8], to path: String, inputs: [String] = [],
                             magic: [UInt8]? = nil, formatName: String = "an output of this tool") throws(Failure) {
        try checkTarget(path, inputs: inputs, magic: magic, formatName: formatName)
        // The target may have changed while we wrote; check it again just before replacing it.
        try writeThenRename(bytes, to: path, permissions: 0o666) { () throws(Failure) in
            try checkTarget(path, inputs: inputs, magic: magic, formatName: formatName)
        }
    }

    /// Replaces whatever is at `path` with `bytes`, atomically, for files the tool owns (cache
    /// entries): no check of the target, since the rename replaces a planted link or a corrupt
    /// file without following or reading it. The same temporary-file discipline as `write`: a
    /// new file under a random name (`O_EXCL|O_NOFOLLOW`, `permissions`), `fsync`, `rename`.
    /// Two processes replacing the same path race harmlessly: the last rename wins and readers
    /// see one whole file or the other.
    public static func replace(_ bytes: [UInt8], at path: String, permissions: mode_t = 0o644) throws(Failure) {
        try writeThenRename(bytes, to: path, permissions: permissions) { () throws(Failure) in }
    }

    /// Writes `bytes` to a new temporary file beside `path`, flushes it, runs `beforeRename`, and
    /// renames it over `path`; the temporary file is removed on any failure.
    private static func writeThenRename(_ bytes: [UInt8], to path: String, permissions: mode_t,
                                        beforeRename: () throws(Failure) -> Void) throws(Failure) {
        let (directory, name) = split(path)
        let (descriptor, temporary) = try createTemporary(in: directory, near: name, for: path, permissions: permissions)
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do throws(Failure) {
            try writeAll(bytes, to: descriptor, path: path)
            guard fsync(descriptor) == 0 else { throw Failure.system(path: path, operation: "flush", code: errno) }
        } catch {
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else { throw Failure.system(path: path, operation: "write", code: errno) }
        try beforeRename()
        guard rename(temporary, path) == 0 else { throw Failure.system(path: path, operation: "write", code: errno) }
        renamed = true
        syncDirectory(directory)
    }

    /// Whether `name` is a temporary file `write` or `replace` creates (`.NAME.RANDOM.tmp`), for
    /// tools that clean their own folders.
    public static func isTemporaryName(_ name: String) -> Bool {
        name.hasPrefix(".") && name.hasSuffix(".tmp")
    }

    /// Refuses a target that exists and is not a regular file of ours.
    static func checkTarget(_ path: String, inputs: [String], magic: [UInt8]?, formatName: String) throws(Failure) {
        var target = stat()
        guard lstat(path, &target) == 0 else {
            if errno == ENOENT { return }
            throw Failure.system(path: path, operation: "inspect", code: errno)
        }
        let type = target.st_mode & S_IFMT
        guard type == S_IFREG else { throw Failure.notRegularFile(path: path, kind: describe(type)) }
        for input in inputs {
            var source = stat()
            guard stat(input, &source) == 0 else { continue }
            if source.st_dev == target.st_dev && source.st_ino == target.st_ino {
                throw Failure.isInput(path: path, input: input)
            }
        }
        if let magic, target.st_size > 0, !startsWith(path, magic) {
            throw Failure.notOurs(path: path, expected: formatName)
        }
    }

    private static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFDIR: "a folder"
        case S_IFLNK: "a symbolic link"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }

    private static func startsWith(_ path: String, _ magic: [UInt8]) -> Bool {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var head = [UInt8](repeating: 0, count: magic.count)
        let count = head.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, magic.count) }
        return count == magic.count && head == magic
    }

    private static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// Creates a new file no one else can have named in advance.
    private static func createTemporary(in directory: String, near name: String, for path: String,
                                        permissions: mode_t = 0o666) throws(Failure) -> (Int32, String) {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        // Long names are cut so the temporary name stays within NAME_MAX.
        let stem = String(decoding: name.utf8.prefix(200), as: UTF8.self)
        for _ in 0..<64 {
            let suffix = String(decoding: (0..<12).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] },
                                as: UTF8.self)
            let temporary = (directory == "/" ? "" : directory) + "/.\(stem).\(suffix).tmp"
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, permissions)
            if descriptor >= 0 { return (descriptor, temporary) }
            if errno != EEXIST { throw Failure.system(path: path, operation: "create a temporary file for", code: errno) }
        }
        throw Failure.system(path: path, operation: "create a temporary file for", code: EEXIST)
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure.system(path: path, operation: "write", code: errno)
            }
            offset += written
        }
    }


    /// Makes the rename durable; a failure here loses nothing already visible, so it is ignored.
    private static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
