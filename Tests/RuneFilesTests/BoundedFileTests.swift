import Foundation
import Testing
@testable import RuneFiles

/// `BoundedFile` reads at most its limit, from any kind of file, and never blocks on opening.
@Suite struct BoundedFileTests {
    @Test func readsARegularFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rune-input-\(UUID().uuidString)").path
        defer { unlink(path) }
        let content = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(content)))
        #expect(try BoundedFile.read(path, limit: 200_000) == content)
        #expect(throws: BoundedFile.Failure.tooLarge(limit: 199_999)) { try BoundedFile.read(path, limit: 199_999) }
        #expect(try BoundedFile.read(path, limit: 1 << 30).count == 200_000)
    }

    @Test func boundsEndlessAndSizelessFiles() throws {
        #expect(throws: BoundedFile.Failure.tooLarge(limit: 4096)) { try BoundedFile.read("/dev/zero", limit: 4096) }
        // /proc files report size 0 but have content.
        #expect(try BoundedFile.read("/proc/self/status", limit: 1 << 20).isEmpty == false)
        #expect(throws: BoundedFile.Failure.tooLarge(limit: 100_000)) {
            try BoundedFile.read("/dev/urandom", limit: 100_000)
        }
    }

    @Test func aPrefixReadsNoMoreThanAsked() throws {
        #expect(try BoundedFile.prefix("/dev/zero", count: 17) == [UInt8](repeating: 0, count: 17))
        #expect(try BoundedFile.prefix("/proc/self/pagemap", count: 24).count == 24, "pagemap wants 8-byte reads")
    }

    @Test func refusesFoldersAndMissingFiles() throws {
        #expect(throws: BoundedFile.Failure.folder) { try BoundedFile.read("/tmp", limit: 10) }
        #expect(throws: BoundedFile.Failure.missing) { try BoundedFile.read("/no/such/file", limit: 10) }
        #expect(BoundedFile.Failure.tooLarge(limit: 5).description == "it is larger than 5 bytes, the limit")
    }

    @Test func regularFilesOnlyWhenAsked() throws {
        #expect(throws: BoundedFile.Failure.notRegularFile(kind: "a device")) {
            try BoundedFile.read("/dev/zero", limit: 10, regularFileOnly: true)
        }
        #expect(BoundedFile.Failure.tooLarge(limit: 4 << 20).description == "it is larger than 4 MiB, the limit")
    }

    @Test func aFIFOWithoutAWriterDoesNotBlock() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rune-fifo-\(UUID().uuidString)").path
        #expect(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        let start = Date()
        #expect(try BoundedFile.read(path, limit: 10).isEmpty)
        #expect(Date().timeIntervalSince(start) < 5)
    }
}
