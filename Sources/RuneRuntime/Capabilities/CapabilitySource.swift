import RuneManifest

/// Where a capability's readings come from on this host.
public protocol CapabilitySource: AnyObject {
    /// Fills `buffer`, which holds exactly the declared tensor's bytes, with the next reading.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RuneError)
    /// Something the user should know about the input (a clip padded with silence), or nil.
    var warning: String? { get }
}

extension CapabilitySource {
    public var warning: String? { nil }
}

/// A file the user passed for a capability: `--raw input.bin` or `--raw input=input.bin`.
public struct InputFile: Sendable, Equatable {
    /// The capability's name in the Runefile, when the user named it.
    public var capability: String?
    public var path: String

    public init(capability: String?, path: String) {
        self.capability = capability
        self.path = path
    }

    /// Parses `name=path` or `path`.
    public init(argument: String) {
        if let equals = argument.firstIndex(of: "="), !argument[..<equals].contains("/"),
           !argument[..<equals].isEmpty {
            self.init(capability: String(argument[..<equals]), path: String(argument[argument.index(after: equals)...]))
        } else {
            self.init(capability: nil, path: argument)
        }
    }
}
