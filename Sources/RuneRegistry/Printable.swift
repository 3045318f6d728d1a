/// Text from a registry made safe to print: control characters replaced, length bounded.
enum Printable {
    static func clean(_ text: String, limit: Int) -> String {
        var result = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit { return result + "…" }
            result.unicodeScalars.append(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) ? "?" : scalar)
            count += 1
        }
        return result
    }
}
