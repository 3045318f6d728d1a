import Foundation
import RuneManifest
@testable import RuneRuntime
import Testing

/// The host refuses what a rune did not declare, and never crashes on a bad rune.
@Suite struct HostTests {
    func inputFile() throws -> (HostConfiguration, URL) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rune-host-\(UUID().uuidString).bin")
        try Data([0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]).write(to: url)
        return (HostConfiguration(files: [.raw: [InputFile(capability: nil, path: url.path)]]), url)
    }

    /// Instantiates a hand-made rune whose `_call` body is `call`, fed [0, 1, 2, 3], and calls it.
    func run(_ call: String) throws -> [SerialRecord] {
        let (configuration, url) = try inputFile()
        defer { try? FileManager.default.removeItem(at: url) }
        let instance = try RuneInstance(rune: try Rune(bytes: try HandMadeRune.module(call: call)), configuration: configuration)
        return try instance.run()
    }

    @Test func runsAWellBehavedRune() throws {
        let bytes = try HandMadeRune.module(call: """
            (drop (call $read (i32.const 0) (i32.const 2048) (i32.const 16)))
            (drop (call $write (i32.const 0) (i32.const 0) (i32.const 2048) (i32.const 16)))
            i32.const 0
            """)
        let (configuration, url) = try inputFile()
        defer { try? FileManager.default.removeItem(at: url) }
        let instance = try RuneInstance(rune: try Rune(bytes: bytes), configuration: configuration)
        let records = try instance.run()
        #expect(records.map(\.line) == [#"{"serial":[{"type":"i32","dimensions":[4],"elements":[0,1,2,3]}]}"#])
    }

    @Test func refusesAReadOfAnUndeclaredCapability() throws {
        let call = "(call $read (i32.const 1) (i32.const 2048) (i32.const 16))"
        #expect(kind(of: { try run(call) }) == .violation)
    }

    @Test func refusesAReadOfTheWrongSize() throws {
        let call = "(call $read (i32.const 0) (i32.const 2048) (i32.const 4096))"
        #expect(kind(of: { try run(call) }) == .violation)
    }

    @Test func refusesAnOutputOutsideMemory() throws {
        let call = "(call $write (i32.const 0) (i32.const 0) (i32.const 65530) (i32.const 16))"
        #expect(kind(of: { try run(call) }) == .violation)
    }

    @Test func reportsATrapAsAnError() throws {
        let call = "unreachable"
        #expect {
            try run(call)
        } throws: { error in
            guard case RuneError.trap(let message) = error else { return false }
            return message.contains("unreachable")
        }
    }

    @Test func reportsAnOutOfBoundsLoadAsATrap() throws {
        let call = "(i32.load (i32.const 70000))"
        #expect {
            try run(call)
        } throws: { error in
            guard case RuneError.trap(let message) = error else { return false }
            return message.contains("out of bounds")
        }
    }

    @Test func reportsAFailedCallStatus() throws {
        let call = "i32.const -3"
        let error = #expect(throws: RuneError.self) { try run(call) }
        guard case .callFailed(let status, _)? = error else {
            Issue.record("expected a failed call, got \(String(describing: error))")
            return
        }
        #expect(status == -3)
    }

    @Test func refusesARuneWhoseManifestFunctionDisagrees() throws {
        var other = HandMadeRune.manifest
        other.capabilities[0].tensor = TensorType(.i32, [8])
        let bytes = try HandMadeRune.module(call: "i32.const 0", manifestInMemory: other)
        let (configuration, url) = try inputFile()
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(kind(of: { _ = try RuneInstance(rune: try Rune(bytes: bytes), configuration: configuration) }) == .abi)
    }

    @Test func refusesForeignImports() throws {
        let bytes = try HandMadeRune.module(call: "i32.const 0", imports: #"(import "env" "system" (func $system (param i32) (result i32)))"#)
        #expect(kind(of: { _ = try Rune(bytes: bytes) }) == .abi)
    }

    @Test func refusesAModuleWithoutCall() throws {
        let bytes = try HandMadeRune.module(call: "i32.const 0", exports: #"(export "_manifest" (func $manifest))"#)
        #expect(kind(of: { _ = try Rune(bytes: bytes) }) == .abi)
    }

    @Test func refusesAModuleWithoutManifest() throws {
        let bytes = try HandMadeRune.module(call: "i32.const 0", section: nil)
        #expect(kind(of: { _ = try Rune(bytes: bytes) }) == .abi)
    }

    @Test func refusesImportsWithTheWrongSignature() throws {
        let bytes = try HandMadeRune.module(call: "i32.const 0", imports: #"(import "rune" "log" (func $log (param i32)))"#)
        let (configuration, url) = try inputFile()
        defer { try? FileManager.default.removeItem(at: url) }
        // The import's name is allowed, so the rune loads; instantiation refuses its signature.
        let rune = try Rune(bytes: bytes)
        #expect(kind(of: { _ = try RuneInstance(rune: rune, configuration: configuration) }) == .abi)
    }

    @Test func rejectsFilesThatAreNotWebAssembly() {
        #expect(kind(of: { _ = try Rune(bytes: Array("FROM runicos/base\nRUN a b\n".utf8)) }) == .malformed)
        #expect(kind(of: { _ = try Rune(bytes: [0, 0x61, 0x73]) }) == .malformed)
        #expect(kind(of: { _ = try Rune(bytes: [0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]) }) == .malformed)
    }

    @Test func rejectsEveryTruncationOfARune() throws {
        let bytes = try HandMadeRune.module(call: "i32.const 0")
        for length in 0..<bytes.count {
            #expect(throws: RuneError.self) { _ = try Rune(bytes: Array(bytes.prefix(length))) }
        }
    }

    /// Mutated runes are loaded (parsed and checked, not run); none may crash the host.
    @Test func survivesMutatedRunes() throws {
        let original = try HandMadeRune.module(call: """
            (drop (call $read (i32.const 0) (i32.const 2048) (i32.const 16)))
            (drop (call $write (i32.const 0) (i32.const 0) (i32.const 2048) (i32.const 16)))
            i32.const 0
            """)
        var generator = SplitMix64(seed: 7)
        var loaded = 0
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let position = Int(generator.next() % UInt64(bytes.count))
                bytes[position] = UInt8(truncatingIfNeeded: generator.next())
            }
            if (try? Rune(bytes: bytes)) != nil { loaded += 1 }
        }
        #expect(loaded < 3000, "some mutations must be rejected")
    }
}
