/// The C sources of `Runtime/` that runec compiles into every rune, as files in clang's virtual
/// file system. They are embedded into runec when it is built, so a rune never depends on
/// where runec is installed.
public enum RuntimeLibrary {
    /// Where the runtime sources appear to clang.
    public static let root = "/rune/runtime"

    /// `#include "rune.h"` and `#include "kernels/conv.h"` both resolve.
    public static let includeDirectories = ["\(root)/include", root]

    /// Every embedded file, keyed by its virtual absolute path.
    public static let files: [String: String] = Dictionary(
        uniqueKeysWithValues: EmbeddedRuntime.files.map { ("\(root)/\($0.key)", $0.value) })

    /// The text of `Runtime/<relativePath>`, or nil if runec was built without it.
    public static func source(_ relativePath: String) -> String? {
        EmbeddedRuntime.files[relativePath]
    }

    /// The virtual path of `Runtime/<relativePath>`.
    public static func path(_ relativePath: String) -> String { "\(root)/\(relativePath)" }
}
