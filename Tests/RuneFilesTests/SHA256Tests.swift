import Foundation
import Testing
import RuneFiles

/// `SHA256` against the FIPS 180-2 example vectors, against `sha256sum` on a fixture file, and
/// fed in pieces of every awkward size.
@Suite struct SHA256Tests {
    /// FIPS 180-2, appendix B (and the empty message, from the NIST examples).
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func matchesTheStandardVectors(message: String, digest: String) {
        #expect(SHA256.hexHash(Array(message.utf8)) == digest)
    }

    @Test func hashesAMillionAs() {
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hexHash(million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Every split of a message that crosses block and padding boundaries (55, 56, 63, 64 bytes)
    /// gives the one-shot digest.
    @Test func givesTheSameDigestFedInPieces() {
        let message = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 200] {
            let whole = SHA256.hash(message[0..<length])
            for split in stride(from: 0, through: length, by: 9) {
                var hasher = SHA256()
                hasher.update(message[0..<split])
                hasher.update(message[split..<length])
                #expect(hasher.digest == whole, "length \(length) split at \(split)")
            }
        }
    }

    @Test func agreesWithSha256sumOnAFixture() throws {
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/hotg/microspeech/model.tflite")
        let bytes = try [UInt8](Data(contentsOf: model))
        #expect(bytes.count > 10_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [model.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let expected = String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init)
        #expect(SHA256.hexHash(bytes) == expected)
    }
}
