import Foundation
import RuneManifest
@testable import RuneRuntime
import Testing

/// The case of a ``RuneError``, without its sentence: what tests match, so that rewording a
/// message does not break them (golden files check the wording users see).
enum RuneErrorKind: Equatable {
    case malformed, abi, capabilityUnavailable, input, violation, trap, callFailed, limit
}

extension RuneError {
    var kind: RuneErrorKind {
        switch self {
        case .malformed: .malformed
        case .abi: .abi
        case .capabilityUnavailable: .capabilityUnavailable
        case .input: .input
        case .violation: .violation
        case .trap: .trap
        case .callFailed: .callFailed
        case .limit: .limit
        }
    }
}

/// The kind of ``RuneError`` `body` throws; nil, with an issue recorded, when it throws nothing
/// or another error.
func kind(of body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> RuneErrorKind? {
    do {
        try body()
        Issue.record("nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as RuneError {
        return error.kind
    } catch {
        Issue.record("\(error) is not a RuneError", sourceLocation: sourceLocation)
    }
    return nil
}

/// A rune's module is read by WasmKit alone: its sections, custom sections and memory.
@Suite struct WasmReaderTests {
    @Test func listsTheSectionsWasmKitReads() throws {
        let bytes = try HandMadeRune.module(call: "i32.const 0")
        let rune = try Rune(bytes: bytes)
        let sections = rune.sections.sections
        #expect(sections.filter { $0.id != 0 }.map(\.name) == ["type", "import", "function", "memory", "export", "code", "data"])
        let manifest = try #require(sections.last)
        #expect(manifest.id == 0 && manifest.name == Manifest.sectionName)
        // The content: the name's length (one byte), the name, then the manifest.
        let payload = HandMadeRune.manifest.encoded()
        #expect(manifest.size == 1 + Manifest.sectionName.utf8.count + payload.count)
        #expect(manifest.offset + manifest.size == bytes.count)
        #expect(Array(bytes[(manifest.offset + 1 + Manifest.sectionName.utf8.count)...]) == payload)
        // Sections tile the file after the 8-byte header.
        var end = 8
        for section in sections {
            #expect(section.offset > end && section.offset - end <= 6, "\(section.name)")
            end = section.offset + section.size
        }
        #expect(end == bytes.count)
        #expect(rune.initialMemoryBytes == 65536)
        #expect(rune.manifest == HandMadeRune.manifest)
    }

    @Test func aRuneWithoutMemorySectionHasNoInitialMemory() {
        #expect(WasmSections.initialMemoryBytes(Self.header) == nil)
        #expect(WasmSections(Self.header).sections.isEmpty)
    }

    @Test func aTruncatedSectionIsRefusedAsMalformed() throws {
        let bytes = try HandMadeRune.module(call: "i32.const 0")
        let code = try #require(WasmSections(bytes).sections.first { $0.name == "code" })
        let cut = Array(bytes.prefix(code.offset + code.size / 2))
        let error = #expect(throws: RuneError.self) { _ = try Rune(bytes: cut) }
        #expect(error?.kind == .malformed)
        #expect(WasmSections.truncation(in: cut) != nil)
        #expect(WasmSections.truncation(in: bytes) == nil)
    }

    /// WasmKit's parser limits hold for a hostile file: far too many locals, or a vector count
    /// far beyond the file, are refused at once, without allocating what they claim.
    @Test func parserLimitsHoldForUntrustedInput() {
        let type: [UInt8] = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00]
        let function: [UInt8] = [0x03, 0x02, 0x01, 0x00]
        // One function declaring 2^32 - 1 locals of type i32.
        let locals: [UInt8] = [0x0A, 0x0A, 0x01, 0x08, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x0B]
        // A type section claiming 2^32 - 1 types in 5 bytes.
        let types: [UInt8] = [0x01, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
        for module in [Self.header + type + function + locals, Self.header + types] {
            let start = Date()
            #expect(kind(of: { _ = try Rune(bytes: module) }) == .malformed)
            #expect(Date().timeIntervalSince(start) < 1)
        }
    }

    static let header: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
}
