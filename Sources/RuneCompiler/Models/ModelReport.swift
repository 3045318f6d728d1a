/// What `runec model-info` prints about a model.
public struct ModelReport {
    public var text: String
    public var json: String

    public init(bytes: [UInt8], path: String) throws {
        throw ModelUnavailable(path: path)
    }
}
