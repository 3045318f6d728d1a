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
        #expect(throws: RuneError.violation("it read capability 1, but its manifest declares only 1 capability")) {
            try run(call)
        }
    }

    @Test func refusesAReadOfTheWrongSize() throws {
        let call = "(call $read (i32.const 0) (i32.const 2048) (i32.const 4096))"
        #expect(throws: RuneError.violation("it read 4096 bytes from capability 'input', which is I32[4] (16 bytes)")) {
            try run(call)
        }
    }

    @Test func refusesAnOutputOutsideMemory() throws {
        let call = "(call $write (i32.const 0) (i32.const 0) (i32.const 65530) (i32.const 16))"
        #expect(throws: RuneError.violation("output_write's buffer lies outside the rune's memory")) { try run(call) }
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
        #expect(throws: RuneError.callFailed(status: -3, "a processing block rejected its input")) { try run(call) }
    }

    @Test func refusesARuneWhoseManifestFunctionDisagrees() throws {
        var other = HandMadeRune.manifest
        other.capabilities[0].tensor = TensorType(.i32, [8])
        let bytes = try HandMadeRune.module(call: "i32.const 0", manifestInMemory: other)
        let (configuration, url) = try inputFile()
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: RuneError.abi("'_manifest()' disagrees with the 'rune.manifest' section")) {
            _ = try RuneInstance(rune: try Rune(bytes: bytes), configuration: configuration)
        }
    }

    @Test func refusesForeignImports() throws {
        let bytes = try HandMadeRune.module(call: "i32.const 0", imports: #"(import "env" "system" (func $system (param i32) (result i32)))"#)
        #expect(throws: RuneError.abi("it imports 'env.system'; a rune may import only rune.capability_read, rune.output_write and rune.log")) {
            _ = try Rune(bytes: bytes)
        }
    }

    @Test func refusesAModuleWithoutCall() throws {
        let bytes = try HandMadeRune.module(call: "i32.const 0", exports: #"(export "_manifest" (func $manifest))"#)
        #expect(throws: RuneError.abi("it does not export the function '_call'")) { _ = try Rune(bytes: bytes) }
    }

    @Test func refusesAModuleWithoutManifest() throws {
        let bytes = try HandMadeRune.module(call: "i32.const 0", section: nil)
        #expect(throws: RuneError.abi("it has no 'rune.manifest' section (was it built by runec?)")) { _ = try Rune(bytes: bytes) }
    }

    @Test func refusesImportsWithTheWrongSignature() throws {
        let bytes = try HandMadeRune.module(call: "i32.const 0", imports: #"(import "rune" "log" (func $log (param i32)))"#)
        let (configuration, url) = try inputFile()
        defer { try? FileManager.default.removeItem(at: url) }
        #expect {
            _ = try RuneInstance(rune: try Rune(bytes: bytes), configuration: configuration)
        } throws: { error in
            guard case RuneError.abi(let message) = error else { return false }
            return message.hasPrefix("it cannot be instantiated")
        }
    }

    @Test func rejectsFilesThatAreNotWebAssembly() {
        #expect(throws: RuneError.malformed("the file is not a WebAssembly module (it does not start with \\0asm)")) {
            _ = try Rune(bytes: Array("FROM runicos/base\nRUN a b\n".utf8))
        }
        #expect(throws: RuneError.malformed("the file is 3 bytes long, too short for a WebAssembly module")) {
            _ = try Rune(bytes: [0, 0x61, 0x73])
        }
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
