import Foundation
@testable import RuneAOT
import Testing
import WAT

/// The native-code cache under the engine: a miss translates and stores, a hit loads without
/// translating, every kind of damage is rebuilt (never loaded), and loaded modules share nothing.
@Suite struct NativeCodeCacheTests {
    static let counter = """
        (module (memory 1)
          (global $count (mut i32) (i32.const 0))
          (func $bump (result i32)
            (global.set $count (i32.add (global.get $count) (i32.const 1)))
            (global.get $count))
          (func (export "bump") (result i32) (call $bump))
          (func (export "square") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0))))
        """

    static func scratchCache() throws -> (NativeCodeCache, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rune-cache-\(UUID().uuidString)")
        return (NativeCodeCache(folder: folder.appendingPathComponent("rune").path), folder)
    }

    static func square(_ module: AOTModule) throws -> [AOTValue] {
        try AOTInstance(module: module, store: AOTStore()) { _, _ in nil }.invoke("square", [.i32(12)])
    }

    @Test func aMissTranslatesAndStoresAndAHitLoadsIt() throws {
        let (cache, scratch) = try Self.scratchCache()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let bytes = try wat2wasm(Self.counter)
        let first = try AOTModule(bytes: bytes, cache: cache)
        #expect(first.origin == .translated)
        #expect(first.cacheWarnings.isEmpty)
        let key = NativeCodeCacheKey(rune: bytes)
        let path = cache.path(for: key)
        let before = try FileManager.default.attributesOfItem(atPath: path)
        let second = try AOTModule(bytes: bytes, cache: cache)
        #expect(second.origin == .cached)
        #expect(second.translationSeconds == 0)
        #expect(try Self.square(first) == [.i32(144)])
        #expect(try Self.square(second) == [.i32(144)])
        let after = try FileManager.default.attributesOfItem(atPath: path)
        #expect(before[.systemFileNumber] as? Int == after[.systemFileNumber] as? Int, "a hit does not rewrite the entry")
        #expect(cache.entries().map(\.path) == [path])
    }

    /// The key covers the rune, the engine version, LLVM and the CPU: change any and it is
    /// another entry, and an entry under one key is refused under another.
    @Test func theKeyCoversRuneEngineLLVMAndTarget() throws {
        let bytes = try wat2wasm(Self.counter)
        let key = NativeCodeCacheKey(rune: bytes)
        let others = [
            NativeCodeCacheKey(rune: bytes + [0]),
            NativeCodeCacheKey(rune: bytes, engineVersion: AOTEngineVersion.current + 1),
            NativeCodeCacheKey(rune: bytes, llvmVersion: "15.0.0"),
            NativeCodeCacheKey(rune: bytes, target: NativeTarget(triple: key.target.triple, cpu: "generic", features: key.target.features)),
            NativeCodeCacheKey(rune: bytes, target: NativeTarget(triple: key.target.triple, cpu: key.target.cpu, features: key.target.features + ",-avx")),
        ]
        #expect(Set(others.map(\.fileName) + [key.fileName]).count == others.count + 1)
        let entry = NativeCodeCacheEntry.encode(key: key, payload: [1, 2, 3])
        #expect(try Array(NativeCodeCacheEntry.decode(entry, key: key)) == [1, 2, 3])
        for other in others {
            #expect(throws: NativeCodeCacheEntry.Rejection.otherKey) { try NativeCodeCacheEntry.decode(entry, key: other) }
        }
    }

    /// Truncations and a flipped bit in every field of the header and in the code: each is
    /// refused with a warning, translated again, gives the same results, and is replaced by a
    /// good entry that the next load uses.
    @Test(arguments: ["empty", "header only", "half", "one byte short", "one byte more", "magic", "version",
                      "header size", "key", "length", "digest", "code"])
    func damagedEntriesAreRebuiltNotLoaded(damage: String) throws {
        let (cache, scratch) = try Self.scratchCache()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let bytes = try wat2wasm(Self.counter)
        _ = try AOTModule(bytes: bytes, cache: cache)
        let path = cache.path(for: NativeCodeCacheKey(rune: bytes))
        var entry = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let header = NativeCodeCacheEntry.headerSize
        switch damage {
        case "empty": entry = []
        case "header only": entry = Array(entry[..<header])
        case "half": entry = Array(entry[..<(entry.count / 2)])
        case "one byte short": entry.removeLast()
        case "one byte more": entry.append(0)
        case "magic": entry[0] ^= 1
        case "version": entry[8] ^= 1
        case "header size": entry[12] ^= 1
        case "key": entry[20] ^= 0x80
        case "length": entry[48] ^= 1
        case "digest": entry[70] ^= 4
        default: entry[header + (entry.count - header) / 2] ^= 0x10
        }
        try Data(entry).write(to: URL(fileURLWithPath: path))
        let rebuilt = try AOTModule(bytes: bytes, cache: cache)
        #expect(rebuilt.origin == .translated, "\(damage)")
        #expect(rebuilt.cacheWarnings.count == 1, "\(damage): \(rebuilt.cacheWarnings)")
        #expect(try Self.square(rebuilt) == [.i32(144)])
        let next = try AOTModule(bytes: bytes, cache: cache)
        #expect(next.origin == .cached, "\(damage): the rebuilt entry is good")
    }

    /// An entry that is not a regular file (a link to an endless device, a FIFO nobody writes
    /// to) is refused without hanging, and replaced by a regular file.
    @Test(arguments: ["link to /dev/zero", "FIFO"])
    func entriesThatAreNotFilesAreReplaced(kind: String) throws {
        let (cache, scratch) = try Self.scratchCache()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let bytes = try wat2wasm(Self.counter)
        let path = cache.path(for: NativeCodeCacheKey(rune: bytes))
        try FileManager.default.createDirectory(atPath: cache.entriesFolder, withIntermediateDirectories: true)
        if kind == "FIFO" {
            #expect(mkfifo(path, 0o600) == 0)
        } else {
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/zero")
        }
        let module = try AOTModule(bytes: bytes, cache: cache)
        #expect(module.origin == .translated)
        #expect(module.cacheWarnings.count == 1, "\(module.cacheWarnings)")
        #expect(try Self.square(module) == [.i32(144)])
        var status = stat()
        #expect(lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG)
        #expect(try AOTModule(bytes: bytes, cache: cache).origin == .cached)
    }

    /// Two runes with the same function names, and one rune loaded twice: separate copies of the
    /// code, each calling its own functions, with their own state.
    @Test func loadedModulesShareNothing() throws {
        func constant(_ value: Int32) throws -> [UInt8] {
            try wat2wasm("""
                (module
                  (func $value (export "value") (result i32) (i32.const \(value)))
                  (func (export "call") (result i32) (call $value)))
                """)
        }
        let (cache, scratch) = try Self.scratchCache()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let one = try AOTModule(bytes: try constant(1), cache: cache)
        let two = try AOTModule(bytes: try constant(2), cache: cache)
        let oneAgain = try AOTModule(bytes: try constant(1), cache: cache)
        #expect(oneAgain.origin == .cached)
        let name = ModuleTranslator.functionName(0)
        let addresses = [one, two, oneAgain].map { $0.code.address(of: name) }
        #expect(addresses.allSatisfy { $0 != nil })
        #expect(Set(addresses.compactMap { $0 }).count == 3, "three separate copies of the code")
        for (module, expected) in [(one, 1), (two, 2), (oneAgain, 1)] {
            let instance = try AOTInstance(module: module, store: AOTStore()) { _, _ in nil }
            #expect(try instance.invoke("call", []) == [.i32(UInt32(expected))])
        }
        // State lives in instances: two instances of one cached module count separately.
        let counter = try wat2wasm(Self.counter)
        _ = try AOTModule(bytes: counter, cache: cache)
        let shared = try AOTModule(bytes: counter, cache: cache)
        let first = try AOTInstance(module: shared, store: AOTStore()) { _, _ in nil }
        let second = try AOTInstance(module: try AOTModule(bytes: counter, cache: cache), store: AOTStore()) { _, _ in nil }
        #expect(try first.invoke("bump", []) == [.i32(1)])
        #expect(try first.invoke("bump", []) == [.i32(2)])
        #expect(try second.invoke("bump", []) == [.i32(1)])
    }

    /// Loading, freeing and loading again reuses descriptors; each load still gets its own code.
    @Test func aFreedModuleDoesNotShadowTheNextOne() throws {
        for value in 1...4 {
            let module = try AOTModule(bytes: try wat2wasm("(module (func (export \"value\") (result i32) (i32.const \(value))))"))
            let instance = try AOTInstance(module: module, store: AOTStore()) { _, _ in nil }
            #expect(try instance.invoke("value", []) == [.i32(UInt32(value))])
        }
    }

    @Test func anUnwritableCacheIsAWarningNotAFailure() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rune-not-a-folder-\(UUID().uuidString)")
        try Data("a file".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let module = try AOTModule(bytes: try wat2wasm(Self.counter), cache: NativeCodeCache(folder: file.path + "/rune"))
        #expect(module.origin == .translated)
        #expect(module.cacheWarnings.count == 1)
        #expect(module.cacheWarnings.first?.contains("cannot cache") == true)
        #expect(try Self.square(module) == [.i32(144)])
    }

    @Test func clearRemovesOnlyTheCachesFiles() throws {
        let (cache, scratch) = try Self.scratchCache()
        defer { try? FileManager.default.removeItem(at: scratch) }
        _ = try AOTModule(bytes: try wat2wasm(Self.counter), cache: cache)
        let stranger = URL(fileURLWithPath: cache.entriesFolder).appendingPathComponent("notes.txt")
        try Data("mine".utf8).write(to: stranger)
        #expect(cache.entries().count == 1)
        #expect(try cache.clear() == 1)
        #expect(cache.entries().isEmpty)
        #expect(FileManager.default.fileExists(atPath: stranger.path))
    }
}
