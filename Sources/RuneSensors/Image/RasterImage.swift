/// A decoded image: 8-bit RGB, row-major, top row first.
public struct RasterImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// `width * height * 3` bytes: R, G, B for each pixel.
    public var rgb: [UInt8]

    public init(width: Int, height: Int, rgb: [UInt8]) {
        precondition(rgb.count == width * height * 3, "an RGB image holds 3 bytes per pixel")
        self.width = width
        self.height = height
        self.rgb = rgb
    }
}
