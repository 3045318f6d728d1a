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
