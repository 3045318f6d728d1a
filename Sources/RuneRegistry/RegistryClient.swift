import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import RuneFiles
import RuneManifest

/// Pushes runes to, and pulls them from, any registry that speaks the OCI distribution API.
///
/// - Push: `HEAD` each blob and skip the ones the registry has (pushing the same rune twice
///   uploads nothing), otherwise `POST` an upload and `PUT` it whole with `?digest=`; then `PUT`
///   the manifest under the tag (or digest).
/// - Pull: `GET` the manifest with `Accept`, check its digest (against the reference's, and the
///   registry's `Docker-Content-Digest`), check it describes a rune, then `GET` the config and
///   the rune, each checked against its size and digest before anything is kept or returned.
/// - Auth: a `401` with a `Bearer` challenge gets a token from the realm (with the user's
///   credentials, if any, as Basic auth) and the request is retried; a `Basic` challenge is
///   answered with the credentials. Credentials never follow a redirect to another host.
/// - Every answer is read up to a limit from `RuneLimits` (`maxRegistryManifestBytes`, the
///   descriptor's size for blobs, `maxRegistryResponseBytes` otherwise); failures name the
///   registry, the HTTP status and the registry's error codes.
///
/// One client holds one `HTTPClient` (connections are reused across requests): call
/// `shutdown()` when done, or use `RegistryClient.with(options:credentials:cache:_:)`.
public actor RegistryClient {
    /// Looks up the credentials for a registry (`host[:port]`); nil for anonymous access.
    public typealias CredentialLookup = @Sendable (String) throws -> RegistryCredentials?

    private let http: HTTPClient
    private let options: RegistryConnectionOptions
    private let credentialLookup: CredentialLookup
    /// Where pulled blobs are kept; nil pulls without caching.
    public let cache: PullCache?
    /// The `Authorization` value that last worked, per registry.
    private var authorizations: [String: String] = [:]
    private var isShutDown = false

    /// A client; throws when the CA file cannot be read.
    public init(options: RegistryConnectionOptions = .init(), credentials: @escaping CredentialLookup = { _ in nil },
                cache: PullCache? = nil) throws(RegistryError) {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = options.caFile {
            let pem: [UInt8]
            do {
                pem = try BoundedFile.read(caFile, limit: RuneLimits.maxRegistryResponseBytes,
                                           timeout: RuneLimits.defaultTimeoutSeconds, regularFileOnly: true)
            } catch {
                throw RegistryError("cannot read the CA file '\(caFile)': \(error)")
            }
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMBytes(pem)
            } catch {
                throw RegistryError("the CA file '\(caFile)' holds no PEM certificate (\(error))")
            }
            guard !certificates.isEmpty else { throw RegistryError("the CA file '\(caFile)' holds no PEM certificate") }
            tls.additionalTrustRoots = [.certificates(certificates)]
        }
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls
        // Redirects are followed by hand, so credentials stay with the registry's own origin.
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(30), read: .seconds(120))
        configuration.decompression = .disabled
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.options = options
        self.credentialLookup = credentials
        self.cache = cache
    }

    /// Runs `body` with a client and shuts it down afterwards, whatever happens.
    public static func with<Result: Sendable>(options: RegistryConnectionOptions = .init(),
                                              credentials: @escaping CredentialLookup = { _ in nil },
                                              cache: PullCache? = nil,
                                              _ body: (RegistryClient) async throws -> Result) async throws -> Result {
        let client = try RegistryClient(options: options, credentials: credentials, cache: cache)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Closes the connections. The client is unusable afterwards.
    public func shutdown() async {
        guard !isShutDown else { return }
        isShutDown = true
        try? await http.shutdown()
    }

    /// The standard credential lookup: `RUNE_REGISTRY_USERNAME`/`RUNE_REGISTRY_PASSWORD` when
    /// both are set, else the login `rune login` stored for the registry.
    public static func standardCredentials(environment: [String: String] = ProcessInfo.processInfo.environment,
                                           store: CredentialStore? = CredentialStore.standard()) -> CredentialLookup {
        let fromEnvironment = RegistryCredentials.fromEnvironment(environment)
        return { registry in
            if let fromEnvironment { return fromEnvironment }
            return try store?.credentials(for: registry)
        }
    }

    // MARK: Push

    /// Pushes `artifact` to `reference` (its tag, or its digest, which must then be the
    /// artifact's). Blobs the registry already has are not uploaded again.
    public func push(_ artifact: RuneArtifact, to reference: ImageReference) async throws -> PushedRune {
        if let digest = reference.digest, digest != artifact.manifestDigest.description {
            throw RegistryError("cannot push to \(reference): this rune's manifest digest is \(artifact.manifestDigest), not \(digest)")
        }
        let scope = "repository:\(reference.repository):pull,push"
        var uploaded = 0
        var existing = 0
        var uploadedBytes = 0
        for blob in [artifact.layer, artifact.config] {
            let digest = ContentDigest(of: blob)
            if try await blobExists(digest, in: reference, scope: scope) {
                existing += 1
                continue
            }
            try await upload(blob, digest: digest, to: reference, scope: scope)
            uploaded += 1
            uploadedBytes += blob.count
        }
        let target = reference.tag ?? reference.digest ?? "latest"
        let response = try await send(.PUT, reference, path: "manifests/\(target)", scope: scope,
                                      headers: [("Content-Type", OCIMediaType.imageManifest)], body: artifact.manifest,
                                      operation: "storing the manifest of \(reference)")
        guard response.status == 201 || response.status == 200 else {
            throw RegistryError.answer(registry: reference.registry, operation: "storing the manifest of \(reference)",
                                       status: response.status, reason: response.reason, body: response.body)
        }
        if let stated = response.headers.first(name: "Docker-Content-Digest"), let digest = ContentDigest(parsing: stated),
           digest != artifact.manifestDigest {
            throw RegistryError("registry \(reference.registry) stored the manifest of \(reference) as \(digest), but it hashes to \(artifact.manifestDigest)")
        }
        return PushedRune(manifestDigest: artifact.manifestDigest, uploadedBlobs: uploaded, existingBlobs: existing,
                          uploadedBytes: uploadedBytes)
    }

    private func blobExists(_ digest: ContentDigest, in reference: ImageReference, scope: String) async throws -> Bool {
        let response = try await send(.HEAD, reference, path: "blobs/\(digest)", scope: scope,
                                      operation: "checking for blob \(digest) in \(reference.repository)")
        switch response.status {
        case 200: return true
        case 404: return false
        default:
            throw RegistryError.answer(registry: reference.registry, operation: "checking for blob \(digest) in \(reference.repository)",
                                       status: response.status, reason: response.reason, body: response.body)
        }
    }

    /// A monolithic upload: `POST` to open a session, `PUT` the whole blob with `?digest=`.
    private func upload(_ blob: [UInt8], digest: ContentDigest, to reference: ImageReference, scope: String) async throws {
        let operation = "uploading blob \(digest) to \(reference.repository)"
        let start = try await send(.POST, reference, path: "blobs/uploads/", scope: scope, operation: operation)
        guard start.status == 202, let location = start.headers.first(name: "Location") else {
            throw RegistryError.answer(registry: reference.registry, operation: operation, status: start.status,
                                       reason: start.reason, body: start.body,
                                       hint: start.status == 202 ? "its answer has no Location header" : nil)
        }
        guard let base = start.url, let session = URL(string: location, relativeTo: base)?.absoluteURL,
              var components = URLComponents(url: session, resolvingAgainstBaseURL: false) else {
            throw RegistryError("registry \(reference.registry) gave an upload location that is not a URL: '\(Printable.clean(location, limit: 200))'")
        }
        // Appended as written: the registry's own query (an upload state) is passed back untouched.
        components.percentEncodedQuery = (components.percentEncodedQuery.map { $0 + "&" } ?? "") + "digest=\(digest)"
        guard let target = components.url else {
            throw RegistryError("registry \(reference.registry) gave an upload location that is not a URL: '\(Printable.clean(location, limit: 200))'")
        }
        let response = try await send(.PUT, reference, url: target, scope: scope,
                                      headers: [("Content-Type", "application/octet-stream")], body: blob, operation: operation)
        guard response.status == 201 else {
            throw RegistryError.answer(registry: reference.registry, operation: operation, status: response.status,
                                       reason: response.reason, body: response.body)
        }
    }

    // MARK: Pull

    /// Pulls and verifies the rune `reference` names, keeping it in the pull cache when there is
    /// one. A digest reference already in the cache is answered without the network (content
    /// addressed, so it cannot be stale); a tag is always resolved by the registry.
    public func pullRune(_ reference: ImageReference) async throws -> PulledRune {
        if reference.digest != nil, let cached = cache?.lookup(reference) { return cached }
        let name = reference.description
        let scope = "repository:\(reference.repository):pull"
        let operation = "fetching the manifest of \(name)"
        let response = try await send(.GET, reference, path: "manifests/\(reference.reference)", scope: scope,
                                      headers: [("Accept", OCIMediaType.imageManifest)],
                                      limit: RuneLimits.maxRegistryManifestBytes, operation: operation)
        guard response.status == 200 else {
            throw RegistryError.answer(registry: reference.registry, operation: operation, status: response.status,
                                       reason: response.reason, body: response.body,
                                       hint: response.status == 404 ? "check the repository and tag, or push the rune first" : nil)
        }
        let manifest = response.body
        let manifestDigest = ContentDigest(of: manifest)
        if let wanted = reference.digest, wanted != manifestDigest.description {
            throw RegistryError("digest mismatch: the manifest registry \(reference.registry) sent for \(name) hashes to \(manifestDigest); refusing it")
        }
        if let stated = response.headers.first(name: "Docker-Content-Digest"), let digest = ContentDigest(parsing: stated),
           digest != manifestDigest {
            throw RegistryError("digest mismatch: registry \(reference.registry) says the manifest of \(name) is \(digest), but what it sent hashes to \(manifestDigest); refusing it")
        }
        let layout = try RuneArtifactLayout(manifest: manifest, name: name)
        let config = try await blob(layout.configDigest, size: layout.configSize, what: "config", of: reference, scope: scope)
        try layout.checkConfig(config, name: name)
        let rune = try await blob(layout.layerDigest, size: layout.layerSize, what: "rune layer", of: reference, scope: scope)
        guard rune.starts(with: [0x00, 0x61, 0x73, 0x6D]) else {
            throw RegistryError("the rune layer of \(name) is not a WebAssembly module")
        }
        try cache?.store(rune: rune, config: config, manifest: manifest, for: reference)
        return PulledRune(bytes: rune, manifestDigest: manifestDigest, layerDigest: layout.layerDigest, reference: reference,
                          fromCache: false)
    }

    /// A blob from the cache or the registry, verified against its size and digest.
    private func blob(_ digest: ContentDigest, size: Int, what: String, of reference: ImageReference, scope: String) async throws -> [UInt8] {
        if let cached = cache?.blob(digest, limit: size), cached.count == size { return cached }
        let operation = "fetching the \(what) \(digest) of \(reference)"
        let response = try await send(.GET, reference, path: "blobs/\(digest)", scope: scope, limit: size, operation: operation)
        guard response.status == 200 else {
            throw RegistryError.answer(registry: reference.registry, operation: operation, status: response.status,
                                       reason: response.reason, body: response.body)
        }
        try RuneArtifactLayout.verify(response.body, digest: digest, size: size, what: what, name: reference.description)
        return response.body
    }

    // MARK: Login

    /// Checks that `credentials` are accepted by `registry` (`GET /v2/`, answering its challenge).
    /// Throws with the registry's answer when they are refused.
    public func checkLogin(registry: String, credentials: RegistryCredentials) async throws {
        let reference = try ImageReference(parsing: "\(registry)/login-check")
        overrideCredentials[registry] = credentials
        defer { overrideCredentials[registry] = nil }
        let response = try await send(.GET, reference, url: nil, rawPath: "/v2/", scope: nil, operation: "logging in")
        guard response.status == 200 else {
            throw RegistryError.answer(registry: registry, operation: "logging in", status: response.status,
                                       reason: response.reason, body: response.body)
        }
    }

    private var overrideCredentials: [String: RegistryCredentials] = [:]

    private func credentials(for registry: String) throws -> RegistryCredentials? {
        if let override = overrideCredentials[registry] { return override }
        do {
            return try credentialLookup(registry)
        } catch {
            throw error as? RegistryError ?? RegistryError("cannot read the credentials for \(registry): \(error)")
        }
    }

    // MARK: Requests

    /// An answer, its body read up to the request's limit.
    struct Answer {
        var status: Int
        var reason: String
        var headers: HTTPHeaders
        var body: [UInt8]
        /// The URL that answered (after redirects), for resolving relative `Location`s.
        var url: URL?
    }

    private func send(_ method: HTTPMethod, _ reference: ImageReference, path: String, scope: String,
                      headers: [(String, String)] = [], body: [UInt8]? = nil,
                      limit: Int = RuneLimits.maxRegistryResponseBytes, operation: String) async throws -> Answer {
        try await send(method, reference, url: nil, rawPath: "/v2/\(reference.repository)/\(path)", scope: scope,
                       headers: headers, body: body, limit: limit, operation: operation)
    }

    private func send(_ method: HTTPMethod, _ reference: ImageReference, url: URL, scope: String,
                      headers: [(String, String)] = [], body: [UInt8]? = nil,
                      limit: Int = RuneLimits.maxRegistryResponseBytes, operation: String) async throws -> Answer {
        try await send(method, reference, url: url, rawPath: nil, scope: scope, headers: headers, body: body, limit: limit,
                       operation: operation)
    }

    /// One request with its redirects (at most `RuneLimits.maxRegistryRedirects`, credentials
    /// kept to the registry's own origin) and at most one authentication retry.
    private func send(_ method: HTTPMethod, _ reference: ImageReference, url: URL?, rawPath: String?, scope: String?,
                      headers: [(String, String)] = [], body: [UInt8]? = nil,
                      limit: Int = RuneLimits.maxRegistryResponseBytes, operation: String) async throws -> Answer {
        guard !isShutDown else { throw RegistryError("the registry client was shut down") }
        let scheme = try options.scheme(for: reference)
        guard let origin = URL(string: "\(scheme)://\(reference.registry)") else {
            throw RegistryError("'\(reference.registry)' is not a usable registry address")
        }
        guard var target = url ?? URL(string: "\(scheme)://\(reference.registry)\(rawPath ?? "/v2/")") else {
            throw RegistryError("cannot form a URL for \(reference)")
        }
        var authenticated = false
        var redirects = 0
        while true {
            let sameOrigin = Self.sameOrigin(target, origin)
            guard let targetScheme = target.scheme, let targetHost = target.host,
                  options.allows(scheme: targetScheme, host: Self.bracketed(targetHost)) || sameOrigin else {
                throw RegistryError("registry \(reference.registry) sent \(operation) to '\(Printable.clean(target.absoluteString, limit: 200))', which is plain HTTP or not HTTP at all; refused (see --insecure)")
            }
            var request = HTTPClientRequest(url: target.absoluteString)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if sameOrigin, let authorization = authorizations[reference.registry] {
                request.headers.add(name: "Authorization", value: authorization)
            }
            if let body {
                request.body = .bytes(ByteBuffer(bytes: body))
                request.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
            } else if method == .POST || method == .PUT {
                request.headers.replaceOrAdd(name: "Content-Length", value: "0")
            }
            let answer = try await execute(request, method: method, limit: limit, registry: reference.registry, operation: operation)
            var located = answer
            located.url = target
            if [301, 302, 303, 307, 308].contains(answer.status), let location = answer.headers.first(name: "Location") {
                redirects += 1
                guard redirects <= RuneLimits.maxRegistryRedirects else {
                    throw RegistryError("registry \(reference.registry) redirected \(operation) more than \(RuneLimits.maxRegistryRedirects) times")
                }
                guard let next = URL(string: location, relativeTo: target)?.absoluteURL else {
                    throw RegistryError("registry \(reference.registry) redirected \(operation) to '\(Printable.clean(location, limit: 200))', which is not a URL")
                }
                target = next
                continue
            }
            if answer.status == 401, sameOrigin, !authenticated {
                authenticated = true
                try await authenticate(answer, registry: reference.registry, scope: scope, operation: operation)
                continue
            }
            if answer.status == 401 {
                throw try unauthorized(answer, registry: reference.registry, operation: operation)
            }
            return located
        }
    }

    /// Sends one request and reads its answer up to `limit` bytes.
    private func execute(_ request: HTTPClientRequest, method: HTTPMethod, limit: Int, registry: String,
                         operation: String) async throws -> Answer {
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .seconds(RuneLimits.registryRequestSeconds))
        } catch {
            var hint = ""
            let text = String(describing: error)
            if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") {
                hint = "; the registry does not speak TLS there: for a plain-HTTP registry on this machine pass --insecure"
            } else if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("handshake") {
                hint = "; if the registry uses its own CA, pass it with --ca-file PEM"
            } else if text.contains("connect") || text.contains("refused") {
                hint = "; is the registry running, and is it HTTPS (plain HTTP needs --insecure)?"
            }
            throw RegistryError("cannot reach registry \(registry) for \(operation): \(Printable.clean(text, limit: 300))\(hint)")
        }
        var body: [UInt8] = []
        if method != .HEAD {
            do {
                var buffer = try await response.body.collect(upTo: limit)
                body = buffer.readBytes(length: buffer.readableBytes) ?? []
            } catch is NIOTooManyBytesError {
                throw RegistryError("registry \(registry) sent more than \(limit) bytes for \(operation); refusing it")
            } catch {
                throw RegistryError("registry \(registry) broke off \(operation): \(Printable.clean(String(describing: error), limit: 300))")
            }
        }
        return Answer(status: Int(response.status.code), reason: response.status.reasonPhrase, headers: response.headers, body: body, url: nil)
    }

    /// Answers a `401`'s challenge: a bearer token from its realm, or Basic credentials.
    private func authenticate(_ answer: Answer, registry: String, scope: String?, operation: String) async throws {
        guard let header = answer.headers.first(name: "WWW-Authenticate"), let challenge = AuthChallenge(header: header) else {
            throw try unauthorized(answer, registry: registry, operation: operation)
        }
        let credentials = try credentials(for: registry)
        switch challenge.scheme {
        case "basic":
            guard let credentials else { throw try unauthorized(answer, registry: registry, operation: operation) }
            authorizations[registry] = credentials.basicAuthorization
        case "bearer":
            authorizations[registry] = "Bearer " + (try await token(challenge, scope: challenge.parameters["scope"] ?? scope,
                                                                   credentials: credentials, registry: registry))
        default:
            throw RegistryError("registry \(registry) asks for '\(Printable.clean(challenge.scheme, limit: 40))' authentication; only Bearer and Basic are supported")
        }
    }

    /// A token from a `Bearer` challenge's realm (`GET realm?service=…&scope=…`).
    private func token(_ challenge: AuthChallenge, scope: String?, credentials: RegistryCredentials?, registry: String) async throws -> String {
        guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm),
              let realmScheme = components.scheme, let realmHost = components.host else {
            throw RegistryError("registry \(registry) sent a Bearer challenge without a usable realm URL")
        }
        guard options.allows(scheme: realmScheme, host: Self.bracketed(realmHost)) else {
            throw RegistryError("registry \(registry) asks for a token from '\(Printable.clean(realm, limit: 200))', which is not HTTPS; refused (see --insecure)")
        }
        var query = components.queryItems ?? []
        if let service = challenge.parameters["service"] { query.append(URLQueryItem(name: "service", value: service)) }
        if let scope { query.append(URLQueryItem(name: "scope", value: scope)) }
        components.queryItems = query.isEmpty ? nil : query
        guard let url = components.url else { throw RegistryError("registry \(registry) sent a malformed token realm") }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .GET
        if let credentials { request.headers.add(name: "Authorization", value: credentials.basicAuthorization) }
        let answer = try await execute(request, method: .GET, limit: RuneLimits.maxRegistryResponseBytes, registry: registry,
                                       operation: "getting a token")
        guard answer.status == 200 else {
            throw RegistryError.answer(registry: registry, operation: "getting a token from \(Printable.clean(realmHost, limit: 100))",
                                       status: answer.status, reason: answer.reason, body: answer.body,
                                       hint: answer.status == 401 ? Self.loginHint(registry, credentials) : nil)
        }
        struct TokenAnswer: Decodable {
            var token: String?
            var access_token: String?
        }
        guard let decoded = try? JSONDecoder().decode(TokenAnswer.self, from: Data(answer.body)),
              let token = decoded.token ?? decoded.access_token, !token.isEmpty,
              token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw RegistryError("the token service of registry \(registry) answered without a usable token")
        }
        return token
    }

    /// The error for a `401` that authentication did not get past.
    private func unauthorized(_ answer: Answer, registry: String, operation: String) throws -> RegistryError {
        RegistryError.answer(registry: registry, operation: operation, status: answer.status, reason: answer.reason,
                             body: answer.body, hint: Self.loginHint(registry, try credentials(for: registry)))
    }

    private static func loginHint(_ registry: String, _ credentials: RegistryCredentials?) -> String {
        if let credentials {
            return "the registry refused the credentials of user '\(Printable.clean(credentials.username, limit: 100))'; check the password, or run 'rune login \(registry)' again"
        }
        return "the registry needs a login: run 'rune login \(registry)', or set RUNE_REGISTRY_USERNAME and RUNE_REGISTRY_PASSWORD"
    }

    private static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased() && a.port == b.port
    }

    /// Foundation gives IPv6 hosts without brackets; the reference grammar writes them with.
    private static func bracketed(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }
}
