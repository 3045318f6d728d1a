import CRuneAOTSupport
import WasmParser
import WasmTypes

/// Per-thread execution state shared by instances that call each other: call depth, the
/// native stack bound, and the interrupt flag a timeout sets.
public final class AOTStore: @unchecked Sendable {
    let thread: UnsafeMutablePointer<RuneAOTThread>
    /// The most 64 KiB pages a memory created in this store may grow to; `memory.grow` past it
    /// returns -1, as the spec allows. Set before instantiating.
    public var maxMemoryPages: UInt64 = 65536

    /// - Parameter maxCallDepth: wasm calls deeper than this trap with "call stack exhausted"
    ///   (the native stack bound applies as well).
    public init(maxCallDepth: UInt32 = 50_000) {
        thread = .allocate(capacity: 1)
        thread.initialize(to: RuneAOTThread(depth: 0, depthLimit: maxCallDepth, stackLimit: 0, interrupt: 0, padding: 0, owner: 0))
    }

    deinit { thread.deallocate() }

    /// Stops running code with an "interrupted" trap: at once if the thread is executing
    /// translated code (it is signalled), else at its next function entry. Safe to call from
    /// any thread; a caller that must stop a call repeats it until the call returns, since a
    /// signal that lands in a host function or libc is ignored.
    public func interrupt() {
        rune_aot_interrupt(thread)
    }

    /// Lets code run again after `interrupt()`.
    public func clearInterrupt() { thread.pointee.interrupt = 0 }
}

/// A linear memory: reserved once up to its maximum, so its base never moves.
public final class AOTMemory {
    @usableFromInline let raw: UnsafeMutablePointer<RuneAOTMemory>
    public let maximumPages: UInt64

    public init(pages: UInt64, maximumPages: UInt64) throws(AOTError) {
        raw = .allocate(capacity: 1)
        guard rune_aot_memory_init(raw, pages, maximumPages) == 0 else {
            raw.deallocate()
            throw AOTError(.instantiation, "cannot allocate a memory of \(pages) pages")
        }
        self.maximumPages = maximumPages
    }

    deinit {
        rune_aot_memory_free(raw)
        raw.deallocate()
    }

    public var pages: UInt64 { raw.pointee.pages }
    /// Inlinable, as is `withUnsafeMutableBytes`: a host reads and writes memory on every host
    /// call, and a call across modules per access costs more than the access.
    @inlinable public var byteCount: Int { Int(raw.pointee.size) }

    /// The memory's bytes, valid until it grows past... never moves (reserved), but only the
    /// first `byteCount` bytes are accessible.
    @inlinable public func withUnsafeMutableBytes<T>(_ body: (UnsafeMutableRawBufferPointer) throws -> T) rethrows -> T {
        try body(UnsafeMutableRawBufferPointer(start: raw.pointee.base, count: byteCount))
    }

    /// Bytes `[address, address + length)`, or nil when outside memory.
    public func read(address: UInt64, length: UInt64) -> [UInt8]? {
        let size = UInt64(byteCount)
        guard address <= size, length <= size - address else { return nil }
        return Array(UnsafeRawBufferPointer(start: raw.pointee.base! + Int(address), count: Int(length)))
    }

    public func grow(by pages: UInt32) -> Int32 { rune_aot_memory_grow(raw, pages) }
}

/// A table of function references.
public final class AOTTable {
    let raw: UnsafeMutablePointer<RuneAOTTable>
    public let maximum: UInt64?
    /// Keeps the instances whose code and contexts the entries point to alive.
    var owners: [AnyObject] = []

    public init(size: UInt64, maximum: UInt64?) throws(AOTError) {
        guard size <= 10_000_000 else { throw AOTError(.unsupported, "a table of \(size) entries exceeds the engine's limit of 10000000") }
        raw = .allocate(capacity: 1)
        let entries = UnsafeMutablePointer<RuneAOTTableEntry>.allocate(capacity: max(Int(size), 1))
        entries.initialize(repeating: RuneAOTTableEntry(typeID: -1, padding: 0, function: nil, context: nil), count: max(Int(size), 1))
        raw.initialize(to: RuneAOTTable(entries: entries, size: size))
        self.maximum = maximum
    }

    deinit {
        raw.pointee.entries.deallocate()
        raw.deallocate()
    }

    public var size: UInt64 { raw.pointee.size }
}

/// A global's 8-byte cell, shared with the modules that import it.
public final class AOTGlobal {
    let cell: UnsafeMutablePointer<UInt64>
    public let type: GlobalType

    public init(type: GlobalType, value: AOTValue) {
        cell = .allocate(capacity: 1)
        cell.initialize(to: value.bits)
        self.type = type
    }

    deinit { cell.deallocate() }

    public var value: AOTValue {
        get { AOTValue(bits: cell.pointee, (try? ValueKind(type.valueType)) ?? .i64) }
        set { cell.pointee = newValue.bits }
    }
}

/// A function another module (or the host) may call: native code and the context it runs
/// with, or a host function.
public final class AOTFunction {
    public let type: FunctionType
    enum Body {
        case native(code: UnsafeRawPointer, context: UnsafeMutableRawPointer, entry: UnsafeRawPointer?, owner: AnyObject)
        case host(([AOTValue]) throws -> [AOTValue])
        case rawHost((UnsafeMutablePointer<UInt64>) throws -> Void)
    }
    let body: Body

    init(type: FunctionType, body: Body) {
        self.type = type
        self.body = body
    }

    /// A function the host implements. Throwing stops the running call; the error is rethrown
    /// by `invoke`.
    public static func host(_ type: FunctionType, _ implementation: @escaping ([AOTValue]) throws -> [AOTValue]) -> AOTFunction {
        AOTFunction(type: type, body: .host(implementation))
    }

    /// A host function that works on the call's raw values, for hosts that call it on every
    /// call of a small pipeline: no arrays are built per call.
    ///
    /// `implementation` gets the arguments in `values[0..<parameters]`, each as its bits (an i32
    /// or f32 in the low 32 bits; the upper bits are unspecified), and writes its results to
    /// `values[0..<results]` the same way; the buffer holds at least one value, and at least as
    /// many as the larger of the two counts. The pointer is valid only during the call. Throwing
    /// stops the running call; the error is rethrown by `invoke`.
    public static func host(_ type: FunctionType, raw implementation: @escaping (UnsafeMutablePointer<UInt64>) throws -> Void) -> AOTFunction {
        AOTFunction(type: type, body: .rawHost(implementation))
    }
}

/// What a module may import, and what an instance exports.
public enum AOTExternal {
    case function(AOTFunction)
    case global(AOTGlobal)
    case memory(AOTMemory)
    case table(AOTTable)
}
