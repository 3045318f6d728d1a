import RuneManifest
import Testing

/// Docker's reference grammar as `FROM`, `rune push` and `rune pull` read it, including strings
/// meant to break it.
@Suite struct ImageReferenceTests {
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    @Test(arguments: [
        ("localhost:5000/hotg/microspeech:1", "localhost:5000", "hotg/microspeech", "1", nil),
        ("localhost/sine", "localhost", "sine", nil, nil),
        ("registry.example.com/team/sine", "registry.example.com", "team/sine", nil, nil),
        ("127.0.0.1:5443/a/b/c:v1.2-rc_3", "127.0.0.1:5443", "a/b/c", "v1.2-rc_3", nil),
        ("[::1]:5000/x:latest", "[::1]:5000", "x", "latest", nil),
        ("Registry.Example.com/a", "Registry.Example.com", "a", nil, nil),
        ("host.example/a.b_c__d---e/f", "host.example", "a.b_c__d---e/f", nil, nil),
        ("localhost:5000/sine@\(digest)", "localhost:5000", "sine", nil, digest),
        ("localhost:5000/sine:1@\(digest)", "localhost:5000", "sine", "1", digest),
    ] as [(String, String, String, String?, String?)])
    func parsesRegistryReferences(text: String, registry: String, repository: String, tag: String?, digest: String?) throws {
        let reference = try ImageReference(parsing: text)
        #expect(reference.registry == registry)
        #expect(reference.repository == repository)
        #expect(reference.tag == tag)
        #expect(reference.digest == digest)
        #expect(reference.description == text)
        #expect(reference.reference == (digest ?? tag ?? "latest"))
        #expect(ImageReference.namesRegistry(text))
    }

    @Test(arguments: ["runicos/base", "asdf", "hotg/microspeech:1", "ubuntu", "library/ubuntu:22.04", "a/b/c"])
    func bareNamesAreNotRegistryReferences(text: String) {
        #expect(!ImageReference.namesRegistry(text))
        #expect(throws: ImageReference.Failure.self) { try ImageReference(parsing: text) }
        let message = (try? ImageReference(parsing: text)).map { _ in "" } ?? Self.message(text)
        #expect(message.contains("names no registry"), "\(message)")
    }

    @Test func loopbackAndPort() throws {
        #expect(try ImageReference(parsing: "localhost:5000/a").isLoopback)
        #expect(try ImageReference(parsing: "127.0.0.1/a").isLoopback)
        #expect(try ImageReference(parsing: "127.255.0.9:80/a").isLoopback)
        #expect(try ImageReference(parsing: "[::1]:5000/a").isLoopback)
        #expect(try !ImageReference(parsing: "registry.example.com/a").isLoopback)
        #expect(try !ImageReference(parsing: "127.0.0.1.evil.com/a").isLoopback)
        #expect(try !ImageReference(parsing: "localhost.evil.com:5000/a").isLoopback)
        #expect(try !ImageReference(parsing: "128.0.0.1/a").isLoopback)
        #expect(try ImageReference(parsing: "localhost:5000/a").port == 5000)
        #expect(try ImageReference(parsing: "[::1]:5000/a").host == "[::1]")
        #expect(try ImageReference(parsing: "example.com/a").port == nil)
    }

    /// Each hostile string is refused with a message naming what is wrong, without crashing.
    @Test(arguments: [
        ("", "empty"),
        ("localhost:5000/", "empty"),
        ("localhost:5000//a", "empty part"),
        ("localhost:5000/a/", "empty part"),
        ("localhost:5000/A", "lowercase"),
        ("localhost:5000/Hotg/sine", "a repository is lowercase"),
        ("localhost:5000/a..b", "lowercase letters and digits"),
        ("localhost:5000/-a", "lowercase letters and digits"),
        ("localhost:5000/a_", "lowercase letters and digits"),
        ("localhost:5000/a___b", "lowercase letters and digits"),
        ("localhost:5000/../etc", "lowercase letters and digits"),
        ("localhost:5000/a/../../b", "lowercase letters and digits"),
        ("localhost:5000/a:", "malformed tag"),
        ("localhost:5000/a:-x", "malformed tag"),
        ("localhost:5000/a:.x", "malformed tag"),
        ("localhost:5000/a:" + String(repeating: "x", count: 129), "malformed tag"),
        ("localhost:5000/a:b/c", "malformed repository"),
        ("localhost:5000/a@sha256:abc", "64 lowercase"),
        ("localhost:5000/a@sha256:" + String(repeating: "AB", count: 32), "64 lowercase"),
        ("localhost:5000/a@sha512:" + String(repeating: "ab", count: 64), "only sha256"),
        ("localhost:5000/a@", "malformed digest"),
        ("localhost:5000/a@@sha256:x", "only sha256"),
        ("localhost:0/a", "port"),
        ("localhost:65536/a", "port"),
        ("localhost:99999999999999999999/a", "port"),
        ("localhost:-1/a", "port"),
        ("localhost:/a", "port"),
        ("a..b.com/a", "empty label"),
        (".example.com/a", "empty label"),
        ("-bad.com/a", "start or end"),
        ("exa_mple.com/a", "letters, digits"),
        ("[::1/a", "closing"),
        ("[zz]:5000/a", "IPv6"),
        ("[::1]x/a", "only ':PORT'"),
        ("local host:5000/a", "a space"),
        ("localhost:5000/a\n", "control character"),
        ("localhost:5000/a\u{0}", "control character"),
        ("localhost:5000/a\u{1B}[31m", "control character"),
        ("localhost:5000/é", "non-ASCII"),
        ("localhost:5000/a\u{202E}", "non-ASCII"),
        ("localhost:5000/" + String(repeating: "a", count: 600), "longer than 512"),
        ("localhost:5000/" + String(repeating: "a/", count: 150) + "a", "longer than 255"),
        (String(repeating: "a.", count: 300) + "/x", "longer than 512"),
    ])
    func refusesHostileStrings(text: String, reason: String) {
        #expect(throws: ImageReference.Failure.self) { try ImageReference(parsing: text) }
        let message = Self.message(text)
        #expect(message.contains(reason), "\(message)")
        // Messages never carry raw control characters to the terminal.
        #expect(!message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
    }

    /// Random bytes never crash the parser, and what it accepts prints back to itself.
    @Test func randomStringsNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abAZ09:/@._-[]sha256 \u{0}é".unicodeScalars)
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 40)
            var text = ""
            for _ in 0..<length { text.unicodeScalars.append(alphabet[Int(generator.next() % UInt64(alphabet.count))]) }
            if let reference = try? ImageReference(parsing: text) {
                #expect(reference.description == text)
                #expect(ImageReference.namesRegistry(text))
            }
        }
    }

    static func message(_ text: String) -> String {
        do {
            _ = try ImageReference(parsing: text)
            return "accepted"
        } catch {
            return error.message
        }
    }
}
