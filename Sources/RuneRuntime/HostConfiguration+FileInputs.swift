import RuneManifest

extension HostConfiguration {
    /// One capability's tensor, read from the files of this configuration.
    public struct FileInput: Sendable, Equatable {
        /// The capability's index in the manifest.
        public var capability: Int
        /// The tensor's bytes, as the rune reads them.
        public var bytes: [UInt8]
    }

    /// The tensors of every capability of `manifest` that reads a file, converted exactly as
    /// `rune run` converts them (same flags, same matching of files to capabilities, same
    /// errors), and the warnings `rune run` would print. For a device fed over its link
    /// (`hmr run`): RAND capabilities are left out, since the device provides its own.
    public func fileInputs(for manifest: Manifest) throws(RuneError) -> (inputs: [FileInput], warnings: [String]) {
        let sources = try makeSources(for: manifest)
        var inputs: [FileInput] = []
        for (index, source) in sources.enumerated() where source is SensorCapability {
            var bytes = [UInt8](repeating: 0, count: manifest.capabilities[index].tensor.byteCount)
            var failure: RuneError?
            bytes.withUnsafeMutableBytes { buffer in
                do throws(RuneError) { try source.read(into: buffer) } catch { failure = error }
            }
            if let failure { throw failure }
            inputs.append(FileInput(capability: index, bytes: bytes))
        }
        return (inputs, sources.compactMap(\.warning))
    }
}
