/// A rune in an OCI registry, named with Docker's reference grammar:
/// `HOST[:PORT]/PATH[:TAG][@sha256:HEX]`, for example `localhost:5000/hotg/microspeech:1` or
/// `registry.example.com/team/sine@sha256:…`.
///
/// A name is a registry reference only when its first component is a host: it contains a `.` or
/// a `:`, is `localhost`, or has an uppercase letter (path components cannot). Bare names such as
/// `runicos/base` are not: the Runefile front end treats them as built-in bases
/// (`ImageReference.namesRegistry`). Every string is hostile here: the parser reads at most
/// `RuneLimits.maxImageReferenceBytes` of ASCII, never recurses, and says which part is wrong.
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    /// The registry host as written, with its port when it has one: `localhost:5000`,
    /// `[::1]:5000`, `registry.example.com`.
    public var registry: String
    /// The repository path inside the registry: `hotg/microspeech`.
    public var repository: String
    /// The tag, when one was written. A reference with neither tag nor digest means `latest`.
    public var tag: String?
    /// `sha256:` and 64 lowercase hexadecimal digits, when one was written. It wins over the tag.
    public var digest: String?

    /// Why a string is not an image reference. Messages name the part that is wrong.
    public struct Failure: Error, Equatable, CustomStringConvertible, Sendable {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// The tag or digest the registry is asked for: the digest when there is one, else the tag,
    /// else `latest`.
    public var reference: String { digest ?? tag ?? "latest" }

    /// The host without its port (brackets kept for IPv6): what loopback checks look at.
    public var host: String {
        if registry.hasPrefix("["), let close = registry.firstIndex(of: "]") {
            return String(registry[...close])
        }
        if let colon = registry.firstIndex(of: ":") { return String(registry[..<colon]) }
        return registry
    }

    /// The port written after the host, if any.
    public var port: Int? {
        let afterHost = registry.dropFirst(host.count)
        guard afterHost.hasPrefix(":") else { return nil }
        return Int(afterHost.dropFirst())
    }

    /// Whether the registry is this machine: `localhost`, `127.0.0.0/8` or `[::1]`. Plain HTTP
    /// is allowed to these without further consent.
    public var isLoopback: Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { octet in
            octet.count <= 3 && octet.allSatisfy(\.isASCIIDigit) && (Int(octet) ?? 256) <= 255
        }
    }

    /// `REGISTRY/REPOSITORY[:TAG][@DIGEST]`, as parsed (no `latest` added).
    public var description: String {
        var text = "\(registry)/\(repository)"
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    public init(registry: String, repository: String, tag: String?, digest: String?) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// Whether `text` names a registry (its first `/`-separated component is a host), as opposed
    /// to a bare name like `runicos/base`. It says nothing of whether the rest is valid: parse it
    /// with `init(parsing:)` for that.
    public static func namesRegistry(_ text: String) -> Bool {
        let bytes = Array(text.utf8.prefix(RuneLimits.maxImageReferenceBytes))[...]
        guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")) else { return false }
        return isHostComponent(bytes[..<slash])
    }

    /// Parses a registry reference. Throws for a bare name (no registry host), a malformed host,
    /// path, tag or digest, a non-ASCII or overlong string.
    public init(parsing text: String) throws(Failure) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw Failure("an image reference is empty") }
        guard bytes.count <= RuneLimits.maxImageReferenceBytes else {
            throw Failure("an image reference is longer than \(RuneLimits.maxImageReferenceBytes) bytes")
        }
        if let bad = bytes.first(where: { $0 <= 0x20 || $0 >= 0x7F }) {
            throw Failure("'\(Self.printable(text))' contains \(bad >= 0x7F ? "a non-ASCII character" : bad == 0x20 ? "a space" : "a control character"); an image reference is ASCII without spaces")
        }
        var name = bytes[...]
        var digest: String?
        if let at = name.firstIndex(of: UInt8(ascii: "@")) {
            let digestBytes = name[(at + 1)...]
            name = name[..<at]
            digest = try Self.parseDigest(digestBytes, in: text)
        }
        var tag: String?
        let lastSlash = name.lastIndex(of: UInt8(ascii: "/"))
        if let colon = name.lastIndex(of: UInt8(ascii: ":")), colon > (lastSlash ?? name.startIndex - 1) {
            let tagBytes = name[(colon + 1)...]
            name = name[..<colon]
            guard Self.isTag(tagBytes) else {
                throw Failure("'\(Self.printable(text))' has a malformed tag '\(String(decoding: tagBytes, as: UTF8.self))': a tag is 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")
            }
            tag = String(decoding: tagBytes, as: UTF8.self)
        }
        guard let slash = name.firstIndex(of: UInt8(ascii: "/")), Self.isHostComponent(name[..<slash]) else {
            throw Failure("'\(Self.printable(text))' names no registry: a registry reference starts with a host that contains '.' or ':' or is 'localhost' (for example localhost:5000/\(Self.printable(String(decoding: name, as: UTF8.self))))")
        }
        let host = name[..<slash]
        let path = name[(slash + 1)...]
        try Self.checkHost(host, in: text)
        guard name.count <= RuneLimits.maxImageNameBytes else {
            throw Failure("'\(Self.printable(text))' has a name longer than \(RuneLimits.maxImageNameBytes) bytes")
        }
        try Self.checkPath(path, in: text)
        self.init(registry: String(decoding: host, as: UTF8.self), repository: String(decoding: path, as: UTF8.self),
                  tag: tag, digest: digest)
    }

    // MARK: Grammar

    private static func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    private static func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isHexLower(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
    }

    /// Docker's rule for telling a registry host from the first path component.
    private static func isHostComponent(_ component: ArraySlice<UInt8>) -> Bool {
        component.contains(UInt8(ascii: ".")) || component.contains(UInt8(ascii: ":"))
            || component.elementsEqual("localhost".utf8) || component.contains(where: isUpper)
    }

    /// `domain-component ('.' domain-component)* (':' port)?` or `'[' IPv6 ']' (':' port)?`.
    private static func checkHost(_ host: ArraySlice<UInt8>, in text: String) throws(Failure) {
        let hostText = String(decoding: host, as: UTF8.self)
        func bad(_ why: String) -> Failure {
            Failure("'\(printable(text))' has a malformed registry host '\(hostText)': \(why)")
        }
        var name = host
        if host.first == UInt8(ascii: "[") {
            guard let close = host.firstIndex(of: UInt8(ascii: "]")) else { throw bad("an IPv6 address needs a closing ']'") }
            let address = host[(host.startIndex + 1)..<close]
            guard !address.isEmpty, address.count <= 45,
                  address.allSatisfy({ isDigit($0) || (($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "f")) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }),
                  address.contains(UInt8(ascii: ":")) else {
                throw bad("'[…]' must hold an IPv6 address")
            }
            name = host[(close + 1)...]
            guard name.isEmpty || name.first == UInt8(ascii: ":") else { throw bad("only ':PORT' may follow ']'") }
            if !name.isEmpty { try checkPort(name.dropFirst(), bad) }
            return
        }
        if let colon = host.firstIndex(of: UInt8(ascii: ":")) {
            name = host[..<colon]
            try checkPort(host[(colon + 1)...], bad)
        }
        guard !name.isEmpty else { throw bad("the host name is empty") }
        for label in name.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !label.isEmpty else { throw bad("it has an empty label (two dots, or a leading or trailing dot)") }
            guard label.count <= 63 else { throw bad("a label is longer than 63 characters") }
            guard label.allSatisfy({ isLower($0) || isUpper($0) || isDigit($0) || $0 == UInt8(ascii: "-") }) else {
                throw bad("a host is letters, digits, '-' and '.'")
            }
            guard label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else {
                throw bad("a label may not start or end with '-'")
            }
        }
    }

    private static func checkPort(_ port: ArraySlice<UInt8>, _ bad: (String) -> Failure) throws(Failure) {
        guard (1...5).contains(port.count), port.allSatisfy(isDigit),
              let value = Int(String(decoding: port, as: UTF8.self)), (1...65_535).contains(value) else {
            throw bad("the port must be a number from 1 to 65535")
        }
    }

    /// `component ('/' component)*`, each `[a-z0-9]+ (([._]|__|-+) [a-z0-9]+)*`.
    private static func checkPath(_ path: ArraySlice<UInt8>, in text: String) throws(Failure) {
        func bad(_ why: String) -> Failure {
            Failure("'\(printable(text))' has a malformed repository '\(String(decoding: path, as: UTF8.self))': \(why)")
        }
        guard !path.isEmpty else { throw bad("it is empty") }
        let rule = "each '/'-separated part is lowercase letters and digits, joined by '.', '_', '__' or dashes"
        for component in path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            guard let first = component.first, let last = component.last else { throw bad("it has an empty part ('//' or a trailing '/')") }
            if component.contains(where: isUpper) { throw bad("a repository is lowercase") }
            guard isLower(first) || isDigit(first), isLower(last) || isDigit(last) else { throw bad(rule) }
            var index = component.startIndex
            while index < component.endIndex {
                let byte = component[index]
                if isLower(byte) || isDigit(byte) {
                    index += 1
                    continue
                }
                // A separator run: '.', '_', '__' or any number of '-', between alphanumerics.
                var end = index
                while end < component.endIndex, !(isLower(component[end]) || isDigit(component[end])) { end += 1 }
                let separator = component[index..<end]
                let valid = separator.elementsEqual(".".utf8) || separator.elementsEqual("_".utf8)
                    || separator.elementsEqual("__".utf8) || separator.allSatisfy { $0 == UInt8(ascii: "-") }
                guard valid else { throw bad(rule) }
                index = end
            }
        }
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    private static func isTag(_ tag: ArraySlice<UInt8>) -> Bool {
        guard let first = tag.first, tag.count <= 128 else { return false }
        func word(_ byte: UInt8) -> Bool { isLower(byte) || isUpper(byte) || isDigit(byte) || byte == UInt8(ascii: "_") }
        return word(first) && tag.allSatisfy { word($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// `sha256:` and 64 lowercase hexadecimal digits: the only digest registries and this tool share.
    private static func parseDigest(_ digest: ArraySlice<UInt8>, in text: String) throws(Failure) -> String {
        let digestText = String(decoding: digest, as: UTF8.self)
        guard let colon = digest.firstIndex(of: UInt8(ascii: ":")) else {
            throw Failure("'\(printable(text))' has a malformed digest '\(digestText)': expected sha256:<64 hexadecimal digits>")
        }
        let algorithm = digest[..<colon]
        let hex = digest[(colon + 1)...]
        guard algorithm.elementsEqual("sha256".utf8) else {
            throw Failure("'\(printable(text))' uses the digest algorithm '\(String(decoding: algorithm, as: UTF8.self))'; only sha256 is supported")
        }
        guard hex.count == 64, hex.allSatisfy(isHexLower) else {
            throw Failure("'\(printable(text))' has a malformed digest '\(digestText)': sha256 needs exactly 64 lowercase hexadecimal digits")
        }
        return digestText
    }

    /// Whether `text` is `sha256:` and 64 lowercase hexadecimal digits.
    public static func isDigest(_ text: String) -> Bool {
        let utf8 = Array(text.utf8.prefix(72))
        return utf8.count == 71 && utf8.starts(with: "sha256:".utf8) && utf8[7...].allSatisfy(isHexLower)
    }

    /// `text` cut to a readable length with control characters escaped, for messages.
    private static func printable(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars.prefix(200) {
            result += scalar.value < 0x20 || scalar.value == 0x7F ? scalar.escaped(asASCII: true) : String(scalar)
        }
        return text.unicodeScalars.count > 200 ? result + "…" : result
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
