import WasmTypes

/// An exported function of an ``AOTInstance``, looked up once, to call over and over.
///
/// `AOTInstance.invoke(_:_:)` finds the export by name and builds arrays of values on every
/// call; a host calling a small pipeline thousands of times a second wants none of that. An
/// entry point keeps the function's entry wrapper and one buffer for its raw values, so a call
/// allocates nothing. Like the instance, it is for one thread at a time.
public final class AOTEntryPoint {
    /// The instance the function belongs to (kept alive by the entry point).
    public let instance: AOTInstance
    /// The function's wasm type.
    public let type: FunctionType
    private let entry: UnsafeRawPointer
    /// The call's raw values: set the arguments before ``invoke()`` and read the results after,
    /// each as its bits (an i32 or f32 in the low 32 bits; after a call, the upper bits of such a
    /// result are unspecified). Holds at least one value, and as many as the larger of the
    /// parameter and result counts.
    public let values: UnsafeMutableBufferPointer<UInt64>

    init(instance: AOTInstance, type: FunctionType, entry: UnsafeRawPointer, count: Int) {
        self.instance = instance
        self.type = type
        self.entry = entry
        values = .allocate(capacity: count)
        values.initialize(repeating: 0)
    }

    deinit { values.deallocate() }

    /// Calls the function with the arguments in ``values``, leaving its results there. Throws
    /// an ``AOTTrap`` when it traps, or the error of the host function that stopped it.
    public func invoke() throws {
        try instance.run(entry: entry, values: values.baseAddress!)
    }
}
