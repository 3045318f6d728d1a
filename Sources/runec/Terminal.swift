import Foundation

/// stderr with colour when it is a terminal and NO_COLOR is unset.
struct Terminal {
    static let standardError = Terminal(handle: .standardError, descriptor: 2)

    let handle: FileHandle
    let descriptor: Int32

    var supportsColor: Bool {
        isatty(descriptor) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    func write(_ text: String) { handle.write(Data(text.utf8)) }
}

/// Writes a file so readers see either the old file or the complete new one, never a partial
/// one: a temporary file in the same folder, then rename.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try Data(bytes).write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
