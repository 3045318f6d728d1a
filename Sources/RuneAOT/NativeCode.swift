#if canImport(Glibc)
import Glibc
#endif
import CRuneAOTSupport

/// Native code loaded into this process: a shared object made by the translator (fresh, or read
/// from the cache and verified), opened with the dynamic loader.
///
/// The verified bytes are loaded, never a path someone could swap after the check: they are
/// copied into an anonymous memory file and opened as `/proc/self/fd/N`. The descriptor stays
/// open while the code is loaded, so no other module can get the same name (the loader would
/// hand back the already-loaded one); `RTLD_LOCAL` keeps its symbols out of the global scope.
/// Each load is a separate copy: two runes, or one rune loaded twice, share nothing.
///
/// Generated code reaches the host only through its context's function pointers; nothing in it
/// depends on addresses in the process that translated it. The only symbols the loader resolves
/// from the process are libc's memmove/memset (and libm's rounding functions on CPUs without
/// SSE4.1), which LLVM itself may call.
final class NativeCode {
    private let handle: UnsafeMutableRawPointer
    private let descriptor: Int32

    init(sharedObject bytes: [UInt8]) throws(AOTError) {
        let descriptor = rune_aot_memory_file("rune-aot")
        guard descriptor >= 0 else {
            throw AOTError(.llvm, "cannot create an in-memory file for native code: \(String(cString: strerror(errno)))")
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(descriptor)
                throw AOTError(.llvm, "cannot write native code to memory: \(String(cString: strerror(code)))")
            }
            offset += written
        }
        guard let handle = dlopen("/proc/self/fd/\(descriptor)", RTLD_NOW | RTLD_LOCAL) else {
            let text = dlerror().map { String(cString: $0) } ?? "unknown error"
            close(descriptor)
            throw AOTError(.llvm, "cannot load native code: \(text)")
        }
        guard rune_aot_register_code(handle) == 0 else {
            dlclose(handle)
            close(descriptor)
            throw AOTError(.llvm, "cannot register native code for interruption (too many modules loaded at once?)")
        }
        self.handle = handle
        self.descriptor = descriptor
    }

    deinit {
        rune_aot_unregister_code(handle)
        dlclose(handle)
        close(descriptor)
    }

    /// The address of a generated function, or nil.
    func address(of name: String) -> UnsafeRawPointer? {
        dlsym(handle, name).map { UnsafeRawPointer($0) }
    }
}
