/// Why a sensor file cannot be read: the message names the problem in the user's terms
/// ("not a PNG file", "truncated data chunk"); the caller adds the file's path.
public struct SensorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
