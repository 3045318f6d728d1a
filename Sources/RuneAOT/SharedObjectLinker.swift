#if canImport(Glibc)
import Glibc
#endif
import CRuneLinker
import RuneFiles

/// Links a relocatable object into a shared object with lld, in process.
///
/// lld reads and writes files, so the link happens in a private temporary folder (mode 0700,
/// removed afterwards). The shared object needs no libc: the generated code calls memmove and
/// memset (and, on CPUs without SSE4.1, libm's rounding), which the dynamic loader resolves from
/// the process. `-Bsymbolic` binds the module's calls to its own functions, so two loaded runes
/// with the same function names never reach each other's code.
enum SharedObjectLinker {
    static func link(object: [UInt8]) throws(AOTError) -> [UInt8] {
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
        var template = Array((base + "/rune-aot-XXXXXX").utf8CString)
        guard let folderPointer = mkdtemp(&template) else {
            throw AOTError(.llvm, "cannot create a temporary folder in \(base) to link native code: \(String(cString: strerror(errno)))")
        }
        let folder = String(cString: folderPointer)
        let objectPath = folder + "/module.o"
        let sharedPath = folder + "/module.so"
        defer {
            unlink(objectPath)
            unlink(sharedPath)
            rmdir(folder)
        }
        do {
            try OutputFile.replace(object, at: objectPath, permissions: 0o600)
        } catch {
            throw AOTError(.llvm, "cannot write the object to link: \(error)")
        }
        let arguments = ["ld.lld", "-shared", "-Bsymbolic", "--build-id=none", "-z", "noexecstack", "-z", "relro",
                         "-z", "now", "--hash-style=gnu", "-o", sharedPath, objectPath]
        var pointers = arguments.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        var messages: UnsafeMutablePointer<CChar>?
        let linked = pointers.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) { arguments in
                RuneLinkerRun(RuneLinkerFormatELF, arguments, UInt32(buffer.count), &messages)
            }
        }
        let text = messages.map { String(cString: $0) } ?? ""
        RuneLinkerDisposeMessage(messages)
        guard linked else { throw AOTError(.llvm, "lld cannot link the native code: \(text)") }
        do {
            // Our own output, in our own private folder: no bound beyond memory. (The cache
            // refuses to store what is over `maxNativeCodeBytes`.)
            return try BoundedFile.read(sharedPath, limit: Int.max, regularFileOnly: true)
        } catch {
            throw AOTError(.llvm, "cannot read the linked native code: \(error)")
        }
    }
}
