import WasmParser

extension AOTCompiler {
    /// The payload of the first custom section called `name` in the module `bytes` (a rune's
    /// `rune.manifest`, say), or nil if it has none; read by the parser the translator uses.
    public static func customSection(named name: String, in bytes: [UInt8]) throws(AOTError) -> [UInt8]? {
        var parser = Parser(bytes: bytes, features: [.referenceTypes, .exceptionHandling, .functionReferences])
        do {
            while let payload = try parser.parseNext() {
                // Compared as bytes: Swift's String equality would merge canonically equivalent names.
                if case .customSection(let section) = payload, section.name.utf8.elementsEqual(name.utf8) {
                    return Array(section.bytes)
                }
            }
        } catch {
            throw AOTError(.malformed, "\(error)")
        }
        return nil
    }
}
