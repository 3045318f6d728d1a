import RuneManifest
import RuneRegistry
import Testing

/// The `WWW-Authenticate` parser, on what registries send and on what a hostile one could.
@Suite struct AuthChallengeTests {
    @Test func bearerChallenge() throws {
        let challenge = try #require(AuthChallenge(header: #"Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/sine:pull,push""#))
        #expect(challenge.scheme == "bearer")
        #expect(challenge.parameters["realm"] == "https://auth.example.com/token")
        #expect(challenge.parameters["service"] == "registry.example.com")
        #expect(challenge.parameters["scope"] == "repository:team/sine:pull,push")
    }

    @Test func basicChallengeWithSpacesAndCase() throws {
        let challenge = try #require(AuthChallenge(header: #"  BASIC   Realm = "rune test" "#))
        #expect(challenge.scheme == "basic")
        #expect(challenge.parameters["realm"] == "rune test")
    }

    @Test func quotedEscapesAndBareTokens() throws {
        let challenge = try #require(AuthChallenge(header: #"Bearer realm="a\"b\\c", service=plain.example"#))
        #expect(challenge.parameters["realm"] == #"a"b\c"#)
        #expect(challenge.parameters["service"] == "plain.example")
    }

    @Test func firstChallengeWinsAndRepeatsKeepTheFirst() throws {
        let challenge = try #require(AuthChallenge(header: #"Bearer realm="https://one",realm="https://two", Basic realm="x""#))
        #expect(challenge.scheme == "bearer")
        #expect(challenge.parameters["realm"] == "https://one")
    }

    @Test(arguments: [
        "", "   ", "=", #"Bearer realm="unterminated"#, #"Bearer realm="ends with \"#, "Bearer realm=", "Bearer realm=,",
        "\u{0}Bearer", "Bearer realm=\"x\"\u{0}=y",
    ])
    func malformedHeadersAreNil(header: String) {
        #expect(AuthChallenge(header: header) == nil)
    }

    @Test func hugeHeaderIsBounded() {
        let header = "Bearer realm=\"" + String(repeating: "a", count: RuneLimits.maxRegistryResponseBytes * 2) + "\""
        // Cut at the limit, the quote never closes: refused, in bounded time.
        #expect(AuthChallenge(header: header) == nil)
        let many = "Bearer " + (0..<20_000).map { "k\($0)=v" }.joined(separator: ",")
        #expect(AuthChallenge(header: many)?.parameters.count == 20_000)
    }
}
